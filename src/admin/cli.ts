import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig, requireSettings } from '../config';
import { parseLifetime } from '../api/jwt';
import { createLogger } from '../log';
import { connectMongo, type Mongo } from '../mongo/db';
import { AdminCommands, AdminError } from './commands';

/**
 * `npm run admin -- <command> [options]`: accounts, their API keys and their Kore.ai JWT secrets,
 * straight in MongoDB (MONGODB_URI, MONGODB_DB). Results go to stdout (a bare key or token, so it
 * can be captured, or JSON with --json); explanations and errors to stderr.
 */

export const EXIT = { ok: 0, failed: 1, usage: 2, config: 3 } as const;

const DEFAULT_LIFETIME = '1h';

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

interface Output {
  json: boolean;
  /** The result: human lines, or the JSON value with --json. */
  result(lines: string[], value: unknown): void;
  /** Context for a human reader; silent with --json. */
  note(line: string): void;
}

/** A command: `parse` checks its options (no database yet), `run` does the work. */
interface Command<P = unknown> {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  parse(values: Values): P;
  run(commands: AdminCommands, input: P, out: Output): Promise<void>;
  /** It tells running workflows of its change, through Temporal at TEMPORAL_ADDRESS when that is set. */
  tellsWorkflows?: true;
}

const command = <P>(spec: Command<P>): Command => spec;

const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!text) throw new UsageError(`--${name} must not be empty`);
  return text;
};

const required = (values: Values, name: string): string => {
  const value = str(values, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
};

const ACCOUNT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

function accountId(values: Values, name = 'account'): string {
  const id = required(values, name);
  if (!ACCOUNT_ID.test(id)) throw new UsageError(`--${name} must be 1-64 letters, digits, "_", "." or "-"`);
  return id;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : '');

/** `--max-concurrent-calls`, when given: a whole number, 0 meaning no cap. */
function capOption(values: Values): number | undefined {
  const cap = str(values, 'max-concurrent-calls');
  if (cap !== undefined && !/^\d{1,6}$/.test(cap)) {
    throw new UsageError('--max-concurrent-calls must be a whole number (0 = no cap)');
  }
  return cap === undefined ? undefined : Number(cap);
}

const capLine = (cap: number) =>
  `  maxConcurrentCalls    ${cap || 'no cap'}   (live calls across all the account's campaigns)`;

const commands: Record<string, Command> = {
  'create-account': command({
    usage: 'create-account --name <name> [--id <id>] [--app-id <appId>] [--max-concurrent-calls <n>]',
    summary: 'create an account (prints its id, Kore.ai appId and JWT secret)',
    options: {
      name: { type: 'string' },
      id: { type: 'string' },
      'app-id': { type: 'string' },
      'max-concurrent-calls': { type: 'string' },
    },
    parse(values) {
      const name = required(values, 'name');
      if (name.length > 200) throw new UsageError('--name must be at most 200 characters');
      const id = values.id === undefined ? undefined : accountId(values, 'id');
      const appId = str(values, 'app-id');
      if (appId !== undefined && appId.length > 128)
        throw new UsageError('--app-id must be at most 128 characters');
      const cap = capOption(values);
      return {
        name,
        ...(id !== undefined && { id }),
        ...(appId !== undefined && { appId }),
        ...(cap !== undefined && { maxConcurrentCalls: cap }),
      };
    },
    async run(commands, input, out) {
      const account = await commands.createAccount(input);
      out.result(
        [
          `Created account ${account.id}`,
          `  name                  ${account.name}`,
          `  appId                 ${account.appId}   (the Kore.ai iid header and JWT appId claim)`,
          `  jwtSecret             ${account.jwtSecret ?? ''}   (signs the account's Kore.ai JWTs: keep it secret)`,
          capLine(account.maxConcurrentCalls),
        ],
        account,
      );
      out.note(`Next: npm run admin -- create-key --account ${account.id}`);
    },
  }),

  'set-account-cap': command({
    usage: 'set-account-cap --account <id> --max-concurrent-calls <n>',
    summary: "set the account's cap on live calls across its campaigns (0 = no cap)",
    options: { account: { type: 'string' }, 'max-concurrent-calls': { type: 'string' } },
    parse(values) {
      const cap = capOption(values);
      if (cap === undefined) throw new UsageError('--max-concurrent-calls is required');
      return { account: accountId(values), cap };
    },
    tellsWorkflows: true,
    async run(commands, input, out) {
      const account = await commands.setAccountCap(input.account, input.cap);
      out.result([`Account ${account.id}`, capLine(account.maxConcurrentCalls)], account);
      if (account.campaignsRunning === undefined) {
        out.note(
          input.cap > 0
            ? 'TEMPORAL_ADDRESS is not set: campaigns started under a cap follow the new one within a minute; those started while the account had none stay outside it until its lines workflow next starts afresh.'
            : 'TEMPORAL_ADDRESS is not set: campaigns started under the cap get the lines they want within a minute.',
        );
      } else if (input.cap > 0) {
        out.note(
          `The account's lines workflow applies the cap now, and asks its ${account.campaignsRunning} running or paused campaigns to report: any started outside the cap join it.`,
        );
      } else {
        out.note('Campaigns started under the cap get the lines they want from now.');
      }
    },
  }),

  'create-key': command({
    usage: 'create-key --account <id> [--label <label>]',
    summary: 'create an API key (printed once: only its hash is stored)',
    options: { account: { type: 'string' }, label: { type: 'string' } },
    parse(values) {
      const label = str(values, 'label');
      if (label !== undefined && label.length > 100)
        throw new UsageError('--label must be at most 100 characters');
      return { account: accountId(values), label };
    },
    async run(commands, input, out) {
      const created = await commands.createKey(input.account, input.label);
      out.note(`API key for account ${created.accountId}; it is shown this once, only its hash is stored:`);
      out.result([created.key], created);
    },
  }),

  'revoke-key': command({
    usage: 'revoke-key (--key <key> | --account <id> --prefix <prefix>)',
    summary: 'revoke an API key, given in full or by the prefix show-account lists',
    options: { key: { type: 'string' }, account: { type: 'string' }, prefix: { type: 'string' } },
    parse(values): { key: string } | { accountId: string; prefix: string } {
      const key = str(values, 'key');
      const prefix = str(values, 'prefix');
      if (key !== undefined && (prefix !== undefined || values.account !== undefined)) {
        throw new UsageError('give either --key, or --account with --prefix');
      }
      if (key !== undefined) return { key };
      if (prefix === undefined) throw new UsageError('--key (or --account with --prefix) is required');
      return { accountId: accountId(values), prefix };
    },
    async run(commands, input, out) {
      const revoked = await commands.revokeKey(input);
      out.result([`Revoked key ${revoked.prefix}… of account ${revoked.accountId}`], revoked);
      out.note('A running API may accept the key for up to 30 seconds more (its key cache).');
    },
  }),

  'rotate-jwt-secret': command({
    usage: 'rotate-jwt-secret --account <id> [--secret <secret>]',
    summary: "replace the account's JWT secret (tokens signed with the old one stop working at once)",
    options: { account: { type: 'string' }, secret: { type: 'string' } },
    parse(values) {
      const secret = str(values, 'secret');
      if (secret !== undefined && secret.length < 16)
        throw new UsageError('--secret must be at least 16 characters');
      return { account: accountId(values), secret };
    },
    async run(commands, input, out) {
      const rotated = await commands.rotateJwtSecret(input.account, input.secret);
      out.result([`New JWT secret for account ${rotated.accountId}: ${rotated.jwtSecret}`], rotated);
      out.note('JWTs signed with the old secret no longer verify.');
    },
  }),

  'show-account': command({
    usage: 'show-account --account <id> [--show-secret]',
    summary: 'show an account and its keys (prefixes only; the JWT secret only with --show-secret)',
    options: { account: { type: 'string' }, 'show-secret': { type: 'boolean' } },
    parse: (values) => ({ account: accountId(values), withSecret: values['show-secret'] === true }),
    async run(commands, input, out) {
      const account = await commands.showAccount(input.account, input.withSecret);
      const lines = [
        `Account ${account.id}`,
        `  name                  ${account.name}`,
        `  appId                 ${account.appId}`,
        `  jwtSecret             ${account.jwtSecret ?? '(hidden: add --show-secret)'}`,
        capLine(account.maxConcurrentCalls),
        `  createdAt             ${iso(account.createdAt)}`,
        `  API keys              ${account.keys.length === 0 ? 'none' : ''}`,
        ...account.keys.map(
          (k) =>
            `    ${k.prefix}…  created ${iso(k.createdAt)}${k.revokedAt ? `  REVOKED ${iso(k.revokedAt)}` : '  active'}${k.label ? `  (${k.label})` : ''}`,
        ),
      ];
      out.result(lines, account);
    },
  }),

  'sign-jwt': command({
    usage: `sign-jwt --account <id> [--expires-in <lifetime>]   (default ${DEFAULT_LIFETIME}; 3600, 90s, 15m, 12h, 7d)`,
    summary: "mint a Kore.ai JWT for the account (appId claim, HS256, the account's secret)",
    options: { account: { type: 'string' }, 'expires-in': { type: 'string' } },
    parse(values) {
      const lifetime = str(values, 'expires-in') ?? DEFAULT_LIFETIME;
      const expiresInS = parseLifetime(lifetime);
      if (expiresInS === undefined || expiresInS > 366 * 86400) {
        throw new UsageError(
          '--expires-in must be a lifetime such as 3600, 90s, 15m, 12h or 7d (at most 366d)',
        );
      }
      return { account: accountId(values), expiresInS };
    },
    async run(commands, input, out) {
      const signed = await commands.signJwt(input.account, input.expiresInS);
      out.note(
        `JWT for account ${signed.accountId}, expires ${iso(signed.expiresAt)}. Send it as the auth header, with iid: ${signed.appId} and accountId: ${signed.accountId}:`,
      );
      out.result([signed.token], signed);
    },
  }),
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: npm run admin -- <command> [options] [--json]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this text, or a command's options: help <command>`,
    '',
    'Options of each command:',
    ...Object.values(commands).map((c) => `  ${c.usage}`),
    '',
    '  --json    print the result as JSON',
    '',
    'Environment: MONGODB_URI (required), MONGODB_DB (default campaign_engine); TEMPORAL_ADDRESS,',
    '             TEMPORAL_NAMESPACE and TEMPORAL_TASK_QUEUE, for set-account-cap to apply the cap now.',
    'Exit codes: 0 done; 1 refused (no such account, already exists, unknown key); 2 usage error;',
    '            3 configuration error, or MongoDB or Temporal unreachable.',
  ].join('\n');
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command line; resolves to the exit code. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic !== undefined ? commands[topic] : undefined;
    if (topic !== undefined && !command) {
      io.stderr(`Unknown command ${JSON.stringify(topic)}\n\n${usage()}`);
      return EXIT.usage;
    }
    (name === undefined ? io.stderr : io.stdout)(
      command ? `Usage: npm run admin -- ${command.usage}` : usage(),
    );
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`Unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.usage;
  }

  let values: Values;
  try {
    values = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.stderr(`${(err as Error).message}\nUsage: npm run admin -- ${command.usage}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(`Usage: npm run admin -- ${command.usage}`);
    return EXIT.ok;
  }
  const json = values.json === true;
  const out: Output = {
    json,
    result: (lines, value) => io.stdout(json ? JSON.stringify(value, null, 2) : lines.join('\n')),
    note: (line) => {
      if (!json) io.stderr(line);
    },
  };

  let mongo: Mongo | undefined;
  let temporal: Connection | undefined;
  try {
    // Options are checked before connecting: a usage error never waits on the database.
    const input = command.parse(values);
    const config = requireSettings(loadConfig(env), ['MONGODB_URI']);
    try {
      // The command's output is its answer alone; it ends long before the client's watch would speak.
      mongo = await connectMongo(config.MONGODB_URI, config.MONGODB_DB, createLogger('silent', 'admin'));
    } catch (err) {
      io.stderr(`Cannot reach MongoDB at ${redact(config.MONGODB_URI)}: ${(err as Error).message}`);
      return EXIT.config;
    }
    if (command.tellsWorkflows && config.TEMPORAL_ADDRESS) {
      try {
        temporal = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
      } catch (err) {
        io.stderr(`Cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`);
        return EXIT.config;
      }
    }
    const client = temporal && new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE });
    await command.run(
      new AdminCommands(mongo.db, client && { client, taskQueue: config.TEMPORAL_TASK_QUEUE }),
      input,
      out,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\nUsage: npm run admin -- ${command.usage}`);
      return EXIT.usage;
    }
    if (err instanceof AdminError) {
      io.stderr(err.message);
      return EXIT.failed;
    }
    if (err instanceof ConfigError) {
      io.stderr(err.message);
      return EXIT.config;
    }
    throw err;
  } finally {
    await temporal?.close();
    await mongo?.close();
  }
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = EXIT.failed;
    },
  );
}
