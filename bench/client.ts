import type { CallingHours } from '../src/domain/calling-window';
import { syntheticNumbers } from '../src/phones/synthetic-numbers';

/** Around the clock, so a bench does not depend on the hour it runs at. */
export const ALWAYS_OPEN: CallingHours = {
  days: (['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const).map(
    (day) => ({ day, start: '00:00', end: '24:00' }),
  ),
};

export interface Reply<T = unknown> {
  status: number;
  body: { success?: boolean; data: T; message?: string; error?: unknown };
  ms: number;
}

/** A VoiceGenie-dialect client, the way that API's existing callers talk to us. */
export class VoiceGenieClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply<T>> {
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const parsed = (await res.json()) as Reply<T>['body'];
    return { status: res.status, body: parsed, ms: performance.now() - started };
  }

  async ok<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const reply = await this.call<T>(method, path, body);
    if (reply.status !== 200)
      throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body.data;
  }

  /** Creates a campaign and uploads `contacts` in requests of 1,000; returns its id. */
  async createWithContacts(
    settings: Record<string, unknown>,
    contacts: Record<string, unknown>[],
  ): Promise<string> {
    const created = await this.ok<{ campaign: { _id: string } }>('POST', '/createCampaign', {
      campaignName: 'bench',
      agentId: 'bench-agent',
      callingHours: ALWAYS_OPEN,
      ...settings,
    });
    const campaignId = created.campaign._id;
    for (let i = 0; i < contacts.length; i += 1000) {
      await this.ok('POST', '/uploadCampaignData', {
        campaign_id: campaignId,
        contacts: contacts.slice(i, i + 1000),
      });
    }
    return campaignId;
  }
}

/** `count` distinct valid numbers; every one of them is answered at the first attempt unless told otherwise. */
export function benchContacts(count: number, seed: number, lastDigit: (i: number) => number = (i) => i % 4) {
  return syntheticNumbers({ count, seed, lastDigit }).map((phone_number, i) => ({
    phone_number,
    name: `Contact ${i}`,
  }));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * A bench script's counts from its command line, each of `defaults` where left out; a count that
 * is not a positive whole number ends the script with `usage`.
 */
export function countArgs<T extends number[]>(usage: string, ...defaults: T): T {
  const given = process.argv.slice(2);
  const counts = defaults.map((fallback, i) => (given[i] === undefined ? fallback : Number(given[i])));
  if (!counts.every((n) => Number.isInteger(n) && n > 0)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return counts as T;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
