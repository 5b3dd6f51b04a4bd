package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// pushdownClause is the part of a filter SQLite answers itself: the `_id` condition when there is
// one it can take (idWhereClause), else the filter's top-level fields equal to plain strings.
func pushdownClause(filter *types.Document) (string, []any) {
	if clause, args := idWhereClause(filter); clause != "" {
		return clause, args
	}
	return fieldWhereClause(filter)
}

// fieldWhereClause selects, for each top-level field the filter asks to equal a string, the
// documents whose field holds that string or an array (which may hold it); as with `_id`, the
// handler checks the whole filter again, so selecting more than the filter asks is harmless. The
// expression is the one FerretDB's indexes are built on (`sjson->"field"`), so SQLite reads such a
// field from an index where there is one (an account's campaigns, by {accountId, createdAt}), and
// where there is none it compares the field itself instead of handing every document to the
// handler to decode.
//
// Only strings made of characters no JSON encoder escapes are taken, so that the stored JSON text
// of each such string is that string in quotes; an array's JSON text is the one that starts
// with '[', which is the range ['[', '\').
func fieldWhereClause(filter *types.Document) (string, []any) {
	keys := filter.Keys()
	seen := make(map[string]int, len(keys))
	for _, k := range keys {
		seen[k]++
	}
	var conds []string
	var args []any
	for _, k := range keys {
		// A key given twice is left to the handler: Document.Get panics on it.
		if seen[k] != 1 || !plainField(k) {
			continue
		}
		s, ok := must.NotFail(filter.Get(k)).(string)
		if !ok || !plainString(s) {
			continue
		}
		column := fmt.Sprintf("%s->%q", metadata.DefaultColumn, k)
		conds = append(conds, fmt.Sprintf(`(%[1]s = ? OR (%[1]s >= '[' AND %[1]s < '\'))`, column))
		args = append(args, `"`+s+`"`)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// plainField reports whether a filter key names one top-level field by a label SQLite's `->`
// takes as it is: letters, digits and underscores, not `_id` (idWhereClause's) and not one of
// FerretDB's own columns, which a double-quoted name would denote instead.
func plainField(k string) bool {
	if k == "" || k == "_id" || strings.HasPrefix(k, "_ferretdb_") {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		if !(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '_') {
			return false
		}
	}
	return true
}

func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainJSON(s[i]) {
			return false
		}
	}
	return true
}
