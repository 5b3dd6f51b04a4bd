import { Agent, request } from 'node:http';
import type { Account } from '../../src/accounts/store';
import { limitBytes } from '../../src/api/v1/route';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { EngineContext } from '../../src/runtime/context';
import { ALWAYS_OPEN } from './campaigns';
import { envelopeCode, type FuzzAccount, type FuzzContext, type FuzzRequest, type Reply } from './fuzz';

/** A fuzz request and what came of it: the answer, or why none came. */
export interface Outcome {
  req: FuzzRequest;
  reply?: Reply;
  error?: string;
}

/** Sends one request as generated, bytes and all (the body may be malformed on purpose). */
export function send(base: URL, agent: Agent, r: FuzzRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        headers: r.headers,
        agent,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Sends the next `count` requests of `source`, `concurrency` at a time, keeping each outcome. */
export async function sendAll(
  base: URL,
  agent: Agent,
  source: Iterator<FuzzRequest>,
  count: number,
  concurrency: number,
  into: (outcome: Outcome) => void,
): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      const next = source.next();
      if (next.done) return;
      const req = next.value;
      try {
        into({ req, reply: await send(base, agent, req) });
      } catch (err) {
        into({ req, error: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** One line that reproduces an outcome: the request as sent (its body cut short) and the answer. */
export function describeOutcome({ req, reply, error }: Outcome, problem?: string): string {
  const body = req.body ? req.body.subarray(0, 160).toString('utf8') : '';
  const answer = error ?? `${reply?.status} ${reply?.text.slice(0, 300)}`;
  return `#${req.n} ${req.route} [${req.fault}] ${req.method} ${req.path.slice(0, 160)} body=${JSON.stringify(body)}${req.body && req.body.length > 160 ? `… (${req.body.length} bytes)` : ''} → ${answer}${problem ? ` (${problem})` : ''}`;
}

/**
 * What an outcome holds against the server, each as the line that reproduces it: no answer or a
 * 5xx, and a refusal outside its dialect's error envelope or without a code.
 */
export function judge(o: Outcome): { failure?: string; badEnvelope?: string } {
  const { req, reply, error } = o;
  const found = reply && reply.status >= 400 ? envelopeCode(req.dialect, reply) : undefined;
  return {
    ...((error !== undefined || (reply?.status ?? 0) >= 500) && { failure: describeOutcome(o) }),
    ...(found && 'problem' in found && { badEnvelope: describeOutcome(o, found.problem) }),
  };
}

/** The first few offenders in full, then how many there were. */
export function firstFew(offenders: string[]): string[] {
  return offenders.length <= 8 ? offenders : [...offenders.slice(0, 8), `…and ${offenders.length - 8} more`];
}

/**
 * What the fuzzer needs of an engine: the account it sends as (and its JWT secret), another
 * tenant, a revoked key, and two real campaigns to name, one a draft and one with contacts.
 */
export async function seedFuzzContext(
  ctx: EngineContext,
  account: { id: string; apiKey: string },
  webhookSecret: string,
): Promise<FuzzContext> {
  const fuzzAccount = async (id: string, apiKey: string): Promise<FuzzAccount> => {
    const found = (await ctx.accounts.findAccount(id)) as Account;
    return { id, apiKey, appId: found.appId, jwtSecret: found.jwtSecret };
  };
  const other = await ctx.accounts.upsertAccount({ name: 'fuzz: other tenant' });
  const otherKey = await ctx.accounts.addApiKey(other._id);
  const revokedApiKey = await ctx.accounts.addApiKey(account.id);
  await ctx.accounts.revokeApiKey(revokedApiKey);
  const settings = { agentId: 'agent-1', callingHours: ALWAYS_OPEN };
  const draft = await ctx.service.createCampaign(account.id, { name: 'fuzz: empty draft', ...settings });
  const full = await ctx.service.createCampaign(account.id, { name: 'fuzz: with contacts', ...settings });
  await ctx.service.uploadContacts(
    account.id,
    full._id,
    syntheticNumbers({ count: 5, seed: 7 }).map((phone_number) => ({ phone_number, name: 'Seeded' })),
  );
  return {
    account: await fuzzAccount(account.id, account.apiKey),
    other: await fuzzAccount(other._id, otherKey),
    revokedApiKey,
    campaigns: [draft, full].map((c) => ({ id: c._id, numericId: c.numericId, code: c.code })),
    webhookSecret,
    bodyLimitBytes: limitBytes(ctx.config.BODY_LIMIT),
  };
}
