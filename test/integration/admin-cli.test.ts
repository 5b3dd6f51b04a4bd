import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Account } from '../../src/accounts/store';
import { verifyJwt } from '../../src/api/jwt';
import { freePort } from '../../src/dev/processes';
import { accountLinesWorkflowId } from '../../src/domain/ids';
import { startEngine, type Engine } from '../support/engine';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would, in a process of its own. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('accounts CLI (npm run admin)', () => {
  let engine: Engine;
  let env: NodeJS.ProcessEnv;
  const admin = (...args: string[]) => run(TSX, ['src/admin/cli.ts', ...args], env);
  const adminJson = async <T>(...args: string[]) => {
    const res = await admin(...args, '--json');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(res.stdout) as T;
  };

  beforeAll(async () => {
    engine = await startEngine();
    // The engine's own fresh database and task queue: what the CLI writes, the running API reads.
    env = {
      ...process.env,
      MONGODB_URI: process.env.MONGODB_URI,
      MONGODB_DB: engine.ctx.config.MONGODB_DB,
      TEMPORAL_TASK_QUEUE: engine.taskQueue,
    };
  });
  afterAll(async () => {
    await engine.stop();
  });

  const voltmxList = (key: string) =>
    fetch(`${engine.apiUrl}/api/v1/campaigns`, { headers: { 'X-Kony-Authorization': key } });
  const koreStatus = (campaignId: string, token: string, appId: string, accountId: string) =>
    fetch(`${engine.apiUrl}/api/v2/public/${appId}/campaign/${campaignId}/status?view=status`, {
      headers: { auth: token, iid: appId, accountid: accountId },
    });

  describe('usage and exit codes', () => {
    it('prints the usage with help (exit 0), through the npm script too', async () => {
      const res = await run('npm', ['run', '--silent', 'admin', '--', 'help'], env);
      expect(res.code).toBe(0);
      for (const command of [
        'create-account',
        'set-account-cap',
        'create-key',
        'revoke-key',
        'rotate-jwt-secret',
        'show-account',
        'sign-jwt',
      ]) {
        expect(res.stdout).toContain(command);
      }
      expect(res.stdout).toContain('MONGODB_URI');
      const one = await admin('help', 'sign-jwt');
      expect(one).toMatchObject({ code: 0 });
      expect(one.stdout).toMatch(
        /^Usage: npm run admin -- sign-jwt --account <id> \[--expires-in <lifetime>\]/,
      );
    });

    const usageErrors: [string, string[], RegExp][] = [
      ['no command', [], /^Usage:/],
      ['an unknown command', ['frobnicate'], /Unknown command "frobnicate"/],
      ['an unknown option', ['show-account', '--account', 'x', '--bogus'], /Unknown option '--bogus'/],
      ['a missing required option', ['create-account'], /--name is required/],
      ['a cap left out', ['set-account-cap', '--account', 'x'], /--max-concurrent-calls is required/],
      [
        'a cap that is not a whole number',
        ['set-account-cap', '--account', 'x', '--max-concurrent-calls', '2.5'],
        /--max-concurrent-calls must be a whole number \(0 = no cap\)/,
      ],
      [
        'a malformed account id',
        ['create-key', '--account', 'no spaces please'],
        /--account must be 1-64 letters/,
      ],
      [
        'a lifetime it cannot read',
        ['sign-jwt', '--account', 'x', '--expires-in', 'soon'],
        /--expires-in must be a lifetime/,
      ],
      [
        'a short secret',
        ['rotate-jwt-secret', '--account', 'x', '--secret', 'short'],
        /at least 16 characters/,
      ],
      [
        'both ways of naming a key',
        ['revoke-key', '--key', 'ce_x', '--prefix', 'ce_x'],
        /either --key, or --account/,
      ],
    ];
    it('exits 2 with a usage message for each usage error, without touching the database', async () => {
      const results = await Promise.all(
        usageErrors.map(([, args]) => run(TSX, ['src/admin/cli.ts', ...args], { ...env, MONGODB_URI: '' })),
      );
      results.forEach((res, i) => {
        const [label, , message] = usageErrors[i] as [string, string[], RegExp];
        expect({ label, code: res.code, stdout: res.stdout }).toEqual({ label, code: 2, stdout: '' });
        expect(res.stderr).toMatch(message);
      });
    });

    it('exits 3 when MONGODB_URI is missing or malformed, or MongoDB does not answer', async () => {
      const port = await freePort();
      const probe = (uri: string) =>
        run(TSX, ['src/admin/cli.ts', 'show-account', '--account', 'x'], { ...env, MONGODB_URI: uri });
      const [missing, malformed, down] = await Promise.all([
        probe(''),
        probe('postgres://nope'),
        probe(`mongodb://user:hunter2@127.0.0.1:${port}`),
      ]);
      expect(missing).toMatchObject({ code: 3, stdout: '' });
      expect(missing.stderr).toContain('MONGODB_URI is not set: it is required here');
      expect(malformed.code).toBe(3);
      expect(malformed.stderr).toContain('must start with mongodb://');
      expect(down.code).toBe(3);
      expect(down.stderr).toContain(`Cannot reach MongoDB at mongodb://***@127.0.0.1:${port}`);
      expect(down.stderr).not.toContain('hunter2');
    });

    it('exits 1 for an account that does not exist', async () => {
      const results = await Promise.all(
        ['show-account', 'create-key', 'sign-jwt', 'rotate-jwt-secret'].map((c) =>
          admin(c, '--account', 'nobody'),
        ),
      );
      results.push(await admin('set-account-cap', '--account', 'nobody', '--max-concurrent-calls', '5'));
      for (const res of results) {
        expect(res).toMatchObject({ code: 1, stdout: '', stderr: 'No account with id "nobody"\n' });
      }
    });
  });

  describe('an account from creation to revocation, used against the running API', () => {
    it('creates an account, refuses the same id twice, and generates ids when none is given', async () => {
      const created = await adminJson<Record<string, unknown>>(
        'create-account',
        '--name',
        'Acme Corp',
        '--id',
        'acme',
        '--app-id',
        'st-acme',
        '--max-concurrent-calls',
        '20',
      );
      expect(created).toEqual({
        id: 'acme',
        name: 'Acme Corp',
        appId: 'st-acme',
        maxConcurrentCalls: 20,
        createdAt: expect.any(String) as string,
        jwtSecret: expect.stringMatching(/^[\w-]{32,}$/) as string,
      });
      const stored = (await engine.accounts.findAccount('acme')) as Account;
      expect(stored).toMatchObject({ name: 'Acme Corp', appId: 'st-acme', jwtSecret: created.jwtSecret });

      const again = await admin('create-account', '--name', 'Impostor', '--id', 'acme');
      expect(again).toMatchObject({
        code: 1,
        stdout: '',
        stderr: 'An account with id "acme" already exists\n',
      });
      expect((await engine.accounts.findAccount('acme'))?.name).toBe('Acme Corp');

      const human = await admin('create-account', '--name', 'Generated');
      expect(human.code).toBe(0);
      const id = /^Created account (acc_\w+)$/m.exec(human.stdout)?.[1];
      expect(id).toBeDefined();
      expect(human.stdout).toMatch(/appId\s+st-[0-9a-f-]{36}/);
      expect(await engine.accounts.findAccount(id as string)).toMatchObject({ name: 'Generated' });
    });

    it("sets the account's cap on live calls, and takes it off with 0", async () => {
      const set = await adminJson<Record<string, unknown>>(
        'set-account-cap',
        '--account',
        'acme',
        '--max-concurrent-calls',
        '8',
      );
      // Temporal at hand (TEMPORAL_ADDRESS): the account's lines workflow is told, and asks the
      // running campaigns to join; acme has none, so it completes at once.
      expect(set).toMatchObject({ id: 'acme', maxConcurrentCalls: 8, campaignsRunning: 0 });
      await engine.client.workflow.getHandle(accountLinesWorkflowId('acme')).result();
      expect(set).not.toHaveProperty('jwtSecret');
      expect((await engine.accounts.findAccount('acme'))?.maxConcurrentCalls).toBe(8);

      const off = await admin('set-account-cap', '--account', 'acme', '--max-concurrent-calls', '0');
      expect(off.code).toBe(0);
      expect(off.stdout).toMatch(/maxConcurrentCalls\s+no cap/);
      expect(off.stderr).toContain('get the lines they want from now');
      expect((await engine.accounts.findAccount('acme'))?.maxConcurrentCalls).toBe(0);

      await adminJson('set-account-cap', '--account', 'acme', '--max-concurrent-calls', '20');
    });

    it('says when it could not tell running campaigns of a cap, and writes none when Temporal is unreachable', async () => {
      const args = ['src/admin/cli.ts', 'set-account-cap', '--account', 'acme', '--max-concurrent-calls'];
      const unset = await run(TSX, [...args, '12'], { ...env, TEMPORAL_ADDRESS: '' });
      expect(unset.code).toBe(0);
      expect(unset.stderr).toContain('TEMPORAL_ADDRESS is not set');
      expect((await engine.accounts.findAccount('acme'))?.maxConcurrentCalls).toBe(12);

      const unreachable = await run(TSX, [...args, '30'], {
        ...env,
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      });
      expect(unreachable).toMatchObject({ code: 3, stdout: '' });
      expect(unreachable.stderr).toMatch(/^Cannot reach Temporal at 127\.0\.0\.1:\d+: /);
      expect((await engine.accounts.findAccount('acme'))?.maxConcurrentCalls).toBe(12);

      await adminJson('set-account-cap', '--account', 'acme', '--max-concurrent-calls', '20');
    });

    let key = '';
    it('creates a key, printed once and stored only as its hash, which the API accepts', async () => {
      const res = await admin('create-key', '--account', 'acme', '--label', 'ci');
      expect(res.code).toBe(0);
      key = res.stdout.trim();
      expect(key).toMatch(/^ce_[\w-]{32}$/);
      expect(res.stderr).toContain('shown this once');

      const docs = await engine.mongo.db.collection('api_keys').find({ accountId: 'acme' }).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]?._id).toBe(createHash('sha256').update(key).digest('hex'));
      expect(JSON.stringify(docs)).not.toContain(key);

      const res2 = await voltmxList(key);
      expect(res2.status).toBe(200);
    });

    it('shows the account with key prefixes only: never a hash, the key, or (unasked) the secret', async () => {
      const account = (await engine.accounts.findAccount('acme')) as Account;
      const hash = createHash('sha256').update(key).digest('hex');
      const human = await admin('show-account', '--account', 'acme');
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`${key.slice(0, 10)}…`);
      expect(human.stdout).toMatch(/active\s+\(ci\)/);
      expect(human.stdout).toContain('(hidden: add --show-secret)');
      for (const secret of [key, hash, account.jwtSecret]) expect(human.stdout).not.toContain(secret);

      const shown = await adminJson<{ keys: Record<string, unknown>[]; jwtSecret?: string }>(
        'show-account',
        '--account',
        'acme',
        '--show-secret',
      );
      expect(shown.jwtSecret).toBe(account.jwtSecret);
      expect(shown.keys).toEqual([
        { prefix: key.slice(0, 10), label: 'ci', createdAt: expect.any(String) as string },
      ]);
      expect(JSON.stringify(shown)).not.toContain(hash);
    });

    it('signs a JWT with the lifetime asked for, which the Kore.ai API accepts; rotating the secret voids it', async () => {
      const campaign = await engine.service.createCampaign('acme', { name: 'cli campaign' });
      const res = await admin('sign-jwt', '--account', 'acme', '--expires-in', '15m');
      expect(res.code).toBe(0);
      const token = res.stdout.trim();
      const account = (await engine.accounts.findAccount('acme')) as Account;
      const verified = verifyJwt(token, account.jwtSecret);
      expect(verified.ok).toBe(true);
      if (verified.ok) {
        expect(verified.claims.appId).toBe('st-acme');
        expect((verified.claims.exp as number) - (verified.claims.iat as number)).toBe(900);
      }
      expect(res.stderr).toContain('iid: st-acme and accountId: acme');
      expect((await koreStatus(campaign._id, token, 'st-acme', 'acme')).status).toBe(200);

      const rotated = await adminJson<{ accountId: string; jwtSecret: string }>(
        'rotate-jwt-secret',
        '--account',
        'acme',
      );
      expect(rotated.jwtSecret).not.toBe(account.jwtSecret);
      expect((await engine.accounts.findAccount('acme'))?.jwtSecret).toBe(rotated.jwtSecret);
      const old = await koreStatus(campaign._id, token, 'st-acme', 'acme');
      expect(old.status).toBe(401);

      const fresh = await adminJson<{ token: string; expiresAt: string }>('sign-jwt', '--account', 'acme');
      expect(Date.parse(fresh.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
      expect((await koreStatus(campaign._id, fresh.token, 'st-acme', 'acme')).status).toBe(200);

      const chosen = await admin(
        'rotate-jwt-secret',
        '--account',
        'acme',
        '--secret',
        'a-secret-the-operator-chose',
      );
      expect(chosen.stdout).toBe('New JWT secret for account acme: a-secret-the-operator-chose\n');
      expect((await koreStatus(campaign._id, fresh.token, 'st-acme', 'acme')).status).toBe(401);
    });

    it('revokes keys by prefix or in full; a revoked key no longer opens the API', async () => {
      const byPrefix = await admin('revoke-key', '--account', 'acme', '--prefix', key.slice(0, 10));
      expect(byPrefix).toMatchObject({
        code: 0,
        stdout: `Revoked key ${key.slice(0, 10)}… of account acme\n`,
      });
      expect(await engine.accounts.accountForApiKey(key)).toBeNull();
      const twice = await admin('revoke-key', '--account', 'acme', '--prefix', key.slice(0, 10));
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('has no active key');

      const second = (await admin('create-key', '--account', 'acme')).stdout.trim();
      expect((await engine.accounts.accountForApiKey(second))?._id).toBe('acme');
      const full = await adminJson<{ accountId: string; prefix: string }>('revoke-key', '--key', second);
      expect(full).toEqual({ accountId: 'acme', prefix: second.slice(0, 10) });
      // Never seen by the API before, so no cached answer: refused at once.
      expect((await voltmxList(second)).status).toBe(401);
      expect((await admin('revoke-key', '--key', second)).code).toBe(1);

      const shown = await admin('show-account', '--account', 'acme');
      expect(shown.stdout.match(/REVOKED/g)).toHaveLength(2);
    });
  });
});
