import { percentile, round } from '../client';

export interface StatusLoad {
  clients: number;
  seconds: number;
  requests: number;
  perS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Answers the running workflow gave; the rest came from MongoDB's record (`source`). */
  fromWorkflow: number;
}

/**
 * `clients` callers each asking for the status of a running campaign in a loop for `seconds`
 * (`GET /v1/campaigns/:id/status`, answered by the campaign workflow's query, or by MongoDB's
 * record when the query is slow): latency, errors, and how many answers the workflow gave.
 */
export async function statusLoad(
  apiUrl: string,
  apiKey: string,
  campaignId: string,
  clients = 200,
  seconds = 60,
): Promise<StatusLoad> {
  const until = Date.now() + seconds * 1000;
  const times: number[] = [];
  let errors = 0;
  let fromWorkflow = 0;
  const client = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      try {
        const res = await fetch(`${apiUrl}/v1/campaigns/${campaignId}/status`, {
          headers: { 'x-api-key': apiKey },
        });
        const body = (await res.json()) as { source?: string };
        if (res.status !== 200) errors += 1;
        else if (body.source === 'workflow') fromWorkflow += 1;
      } catch {
        errors += 1;
      }
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return {
    clients,
    seconds,
    requests: times.length,
    perS: round(times.length / seconds),
    p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)),
    errors,
    fromWorkflow,
  };
}
