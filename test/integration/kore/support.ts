import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Helpers the Kore.ai and Volt MX contract tests share: send a documented curl line as written,
 * and compare a response's shape with a documented sample.
 */

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Splits a shell command line into words: single quotes (which may span lines), backslash-newlines. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote in curl line');
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      i++;
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The request a documented `curl` command sends (the options the API pages use). */
export function parseCurl(text: string): CurlRequest {
  const words = shellWords(text.trim());
  if (words[0] !== 'curl') throw new Error('not a curl command');
  const headers: Record<string, string> = {};
  let url: string | undefined;
  let method: string | undefined;
  let body: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    const next = () => {
      const value = words[++i];
      if (value === undefined) throw new Error(`${w} needs a value`);
      return value;
    };
    if (w === '--location' || w === '-L') continue;
    if (w === '--header' || w === '-H') {
      const h = next();
      const colon = h.indexOf(':');
      headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
    } else if (w === '--data' || w === '--data-raw' || w === '-d') {
      body = next();
    } else if (w === '--request' || w === '-X') {
      method = next();
    } else if (!w.startsWith('-')) {
      url = w;
    } else {
      throw new Error(`curl option ${w} is not understood here`);
    }
  }
  if (!url) throw new Error('curl line has no URL');
  return {
    method: method ?? (body !== undefined ? 'POST' : 'GET'),
    url,
    headers,
    ...(body !== undefined && { body }),
  };
}

/** Replaces each placeholder of the page (`{{host}}`, `<token>`, sample ids...) with a real value. */
export function fillIn(template: string, values: Record<string, string>): string {
  let text = template;
  for (const [placeholder, value] of Object.entries(values)) text = text.split(placeholder).join(value);
  return text;
}

export async function sendCurl(
  request: CurlRequest,
): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined && { body: request.body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `actual` differs in shape from a documented `sample`: the same keys (all of them, or at
 * least the sample's with `allowExtraKeys`), the same JSON type at every path; every element of an
 * array has the shape of the sample's first element.
 */
export function shapeMismatches(
  actual: unknown,
  sample: unknown,
  options: { allowExtraKeys?: boolean } = {},
  path = '$',
): string[] {
  if (kind(actual) !== kind(sample)) return [`${path}: expected ${kind(sample)}, got ${kind(actual)}`];
  if (Array.isArray(sample)) {
    if (sample.length === 0) return [];
    return (actual as unknown[]).flatMap((item, i) =>
      shapeMismatches(item, sample[0], options, `${path}[${i}]`),
    );
  }
  if (kind(sample) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(s)) {
    if (!(key in a)) problems.push(`${path}.${key}: missing`);
    else problems.push(...shapeMismatches(a[key], s[key], options, `${path}.${key}`));
  }
  if (!options.allowExtraKeys) {
    for (const key of Object.keys(a)) if (!(key in s)) problems.push(`${path}.${key}: not in the sample`);
  }
  return problems;
}

/** The text of a seed page, when the shared seeds sit beside the repository (they do in CI). */
export function seedPage(prefix: string): string | undefined {
  const dir = resolve(__dirname, '../../../../shared/seeds');
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((f) => f.startsWith(prefix));
  return file ? readFileSync(join(dir, file), 'utf8') : undefined;
}

/** Fenced blocks of a page, in order. */
export function codeBlocks(page: string): string[] {
  return [...page.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
