/**
 * Every string that begins with `prefix`, as a range of `_id`, which every server reads from its
 * `_id` index (FerretDB v1 from the only index it has, through the local build's patch). The
 * filters that hold one keep their own fields too, since another prefix may extend this one.
 */
export function idsStartingWith(prefix: string): { $gte: string; $lt: string } {
  const last = prefix.length - 1;
  return { $gte: prefix, $lt: prefix.slice(0, last) + String.fromCharCode(prefix.charCodeAt(last) + 1) };
}
