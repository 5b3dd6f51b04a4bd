import {
  campaignSchema,
  campaignStatusSchema,
  contactSchema,
  dncAddResultSchema,
  dncImportResultSchema,
  dncPageSchema,
  uploadResultSchema,
} from '../../../src/api/v1/schemas';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { expectStatus, numbersEndingIn, V1Client, waitFor } from './client';

let engine: Engine;
let api: V1Client;

beforeAll(async () => {
  engine = await startEngine();
  api = new V1Client(engine.apiUrl, engine.apiKey);
});
afterAll(async () => {
  await engine?.stop();
});

async function createCampaign(name: string): Promise<string> {
  const body = { name, agentId: 'agent-1', callingHours: ALWAYS_OPEN };
  return (await api.ok(campaignSchema, 'POST', '/v1/campaigns', { body }, 201)).id;
}

/** `+12125550123` → `212-555-0123`, a number as written without its country code. */
function local(e164: string): string {
  return `${e164.slice(2, 5)}-${e164.slice(5, 8)}-${e164.slice(8)}`;
}

function csvForm(csv: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'dnc.csv');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

describe('the account do-not-call list', () => {
  it('normalises numbers, reports invalid ones, and a listed number is never called', async () => {
    const [blocked, first, second] = numbersEndingIn([1, 2, 3], 301) as [string, string, string];

    const added = await api.ok(dncAddResultSchema, 'POST', '/v1/dnc', {
      body: { phone_numbers: [local(blocked), 'not a number', '+1 212'], reason: 'asked not to be called' },
    });
    expect(added).toEqual({
      added: 1,
      already_listed: 0,
      rejected: [
        { index: 1, phone_number: 'not a number', reason: expect.stringMatching(/letters/) as unknown },
        { index: 2, phone_number: '+1 212', reason: expect.stringMatching(/short/) as unknown },
      ],
    });
    const again = await api.ok(dncAddResultSchema, 'POST', '/v1/dnc', { body: { phone_numbers: [blocked] } });
    expect(again).toEqual({ added: 0, already_listed: 1, rejected: [] });
    const listed = await api.ok(dncPageSchema, 'GET', '/v1/dnc');
    expect(listed.data).toEqual([
      {
        phone_number: blocked,
        campaign_id: null,
        reason: 'asked not to be called',
        source: 'api',
        created_at: expect.any(String) as unknown,
      },
    ]);

    const id = await createCampaign('dnc');
    const upload = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [blocked, first, second].map((phone_number) => ({ phone_number })),
    });
    expect(upload).toMatchObject({ uploaded: 3, skipped_dnc: 1, duplicates: 0, rejected: [] });
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/start`);
    const final = await waitFor(
      () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`),
      (s) => s.status === 'completed',
      { what: 'the campaign to complete' },
    );
    expect(final.counters).toMatchObject({
      total: 3,
      contacts: { skipped_dnc: 1, completed: 2 },
      calls: { placed: 2, answered: 2 },
    });

    const dialled = engine.carrier.ledger.calls({ campaignId: id }).map((c) => c.to);
    expect(dialled.sort()).toEqual([first, second].sort());
    expect(engine.carrier.ledger.calls({ to: blocked })).toEqual([]);
    const contact = await api.ok(
      contactSchema,
      'GET',
      `/v1/campaigns/${id}/contacts/${encodeURIComponent(blocked)}`,
    );
    expect(contact).toMatchObject({
      status: 'skipped_dnc',
      end_reason: 'dnc',
      attempts: 0,
      last_call_id: null,
    });

    const removed = await api.send('DELETE', `/v1/dnc/${encodeURIComponent(blocked)}`);
    expect(removed.status).toBe(204);
    const gone = await api.fail('DELETE', `/v1/dnc/${encodeURIComponent(blocked)}`, {}, 404);
    expect(gone.message).toContain(blocked);
    const bad = await api.fail('DELETE', '/v1/dnc/12ab', {}, 400);
    expect(bad.issues).toEqual([{ path: 'phone', message: expect.stringMatching(/letters/) as unknown }]);
  });

  it('imports a CSV file with a phone_number column', async () => {
    const [moved, local1, other] = numbersEndingIn([4, 5, 6], 302) as [string, string, string];
    const csv = [
      '\uFEFFPhone_Number,Reason',
      `${moved},moved away`,
      `"${local(local1)}",`,
      '',
      'call-me,x',
      `${moved},listed twice`,
    ].join('\r\n');
    const key = `import-${Date.now()}`;
    const first = await api.send('POST', '/v1/dnc/import', {
      raw: csvForm(csv, { reason: 'bulk import' }),
      headers: { 'idempotency-key': key },
    });
    expectStatus(first, 200, 'import');
    const result = dncImportResultSchema.parse(first.body);
    expect(result).toEqual({
      rows: 4,
      added: 2,
      already_listed: 0,
      rejected: [{ line: 5, phone_number: 'call-me', reason: expect.stringMatching(/letters/) as unknown }],
    });

    const listed = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    const byPhone = new Map(listed.data.map((e) => [e.phone_number, e]));
    expect(byPhone.get(moved)).toMatchObject({ source: 'csv', reason: 'moved away', campaign_id: null });
    expect(byPhone.get(local1)).toMatchObject({ source: 'csv', reason: 'bulk import' });

    // The same key and file replays the answer; the same key with another file is refused.
    const replay = await api.send('POST', '/v1/dnc/import', {
      raw: csvForm(csv, { reason: 'bulk import' }),
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const otherFile = await api.fail(
      'POST',
      '/v1/dnc/import',
      {
        raw: csvForm(`phone_number\n${other}\n`, { reason: 'bulk import' }),
        headers: { 'idempotency-key': key },
      },
      422,
    );
    expect(otherFile.code).toBe('KEY_REUSED');
    const afterReuse = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    expect(afterReuse.data.map((e) => e.phone_number)).not.toContain(other);

    const noColumn = await api.fail(
      'POST',
      '/v1/dnc/import',
      { raw: csvForm('number,name\n2125550123,x\n') },
      400,
    );
    expect(noColumn).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(noColumn.issues).toEqual([
      { path: 'file', message: expect.stringMatching(/phone_number column.*number, name/) as unknown },
    ]);
    const noFile = new FormData();
    noFile.append('reason', 'x');
    const missing = await api.fail('POST', '/v1/dnc/import', { raw: noFile }, 400);
    expect(missing.issues).toEqual([{ path: 'file', message: expect.stringMatching(/required/) as unknown }]);
    const notMultipart = await api.fail('POST', '/v1/dnc/import', { body: { phone_numbers: [other] } }, 415);
    expect(notMultipart.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const unknownField = await api.fail(
      'POST',
      '/v1/dnc/import',
      { raw: csvForm(`phone_number\n${other}\n`, { colour: 'red' }) },
      400,
    );
    expect(unknownField.issues).toEqual([{ path: 'colour', message: 'is not a known field' }]);
  });
});

describe("a campaign's own do-not-call list", () => {
  it('blocks a number in that campaign only', async () => {
    const [number] = numbersEndingIn([1], 303) as [string];
    const blocking = await createCampaign('blocking');
    const open = await createCampaign('open');

    const added = await api.ok(dncAddResultSchema, 'POST', `/v1/campaigns/${blocking}/dnc`, {
      body: { phone_numbers: [number] },
    });
    expect(added).toEqual({ added: 1, already_listed: 0, rejected: [] });
    const campaignList = await api.ok(dncPageSchema, 'GET', `/v1/campaigns/${blocking}/dnc`);
    expect(campaignList.data).toEqual([
      expect.objectContaining({ phone_number: number, campaign_id: blocking }) as unknown,
    ]);
    const accountList = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    expect(accountList.data.map((e) => e.phone_number)).not.toContain(number);

    const contacts = [{ phone_number: number }];
    const intoBlocking = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${blocking}/contacts`, {
      body: contacts,
    });
    expect(intoBlocking.skipped_dnc).toBe(1);
    const intoOpen = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${open}/contacts`, {
      body: contacts,
    });
    expect(intoOpen.skipped_dnc).toBe(0);

    const path = `/v1/campaigns/${blocking}/dnc/${encodeURIComponent(number)}`;
    expect((await api.send('DELETE', path)).status).toBe(204);
    expect((await api.fail('DELETE', path, {}, 404)).code).toBe('NOT_FOUND');
    expect((await api.ok(dncPageSchema, 'GET', `/v1/campaigns/${blocking}/dnc`)).data).toEqual([]);
  });
});
