/**
 * Reads by `_id`, the one index FerretDB v1 reads through. The local build answers `_id` in a list
 * of up to this many ids from that index and scans for a longer one (`maxIDsInClause` in
 * tools/ferretdb/vendor-patches/sqlite_id_filter.go), so longer lists are read in parts.
 */
export const MAX_IDS_PER_READ = 1000;

/**
 * Every string that begins with `prefix`, as a range of `_id`, which every server reads from its
 * `_id` index (FerretDB v1 from the only index it has, through the local build's patch). The
 * filters that hold one keep their own fields too, since another prefix may extend this one.
 */
export function idsStartingWith(prefix: string): { $gte: string; $lt: string } {
  const last = prefix.length - 1;
  return { $gte: prefix, $lt: prefix.slice(0, last) + String.fromCharCode(prefix.charCodeAt(last) + 1) };
}
