/**
 * JSON as Volt MX Engagement Services (a Java server) writes it: Jackson's default pretty printer.
 * `{"id":"3"}` comes out as `{\n  "id" : "3"\n}`, arrays stay on one line (`[ 1, 2 ]`, objects
 * inside them open on the same line), and empty containers read `{ }` and `[ ]`. The pages' samples
 * are printed this way, so a response can be compared with them byte for byte.
 */
export function jacksonJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((item) => write(item === undefined ? null : item, depth)).join(', ')} ]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{ }';
    const indent = '  '.repeat(depth + 1);
    const fields = entries.map(([key, v]) => `${indent}${JSON.stringify(key)} : ${write(v, depth + 1)}`);
    return `{\n${fields.join(',\n')}\n${'  '.repeat(depth)}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}
