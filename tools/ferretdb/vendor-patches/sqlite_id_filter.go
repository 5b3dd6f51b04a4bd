package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDsInClause bounds `_id: {$in: [...]}` lists answered from the index; longer ones are scanned,
// well within SQLite's limit on bound parameters.
const maxIDsInClause = 1000

// idWhereClause is the part of a filter that SQLite answers from the `_id` index: `_id` equal to a
// string or ObjectID, in a list of them, or between two strings, whatever else the filter asks.
// FerretDB v1 used the index only when `_id` was the filter's one key, so {_id: x, status:
// "pending"} read the whole collection. Every handler filters the documents a backend returns
// again in Go (and pushes no limit down with a filter), so a clause here need only select every
// matching document: answering part of a filter, or more than it, cannot change a result.
func idWhereClause(filter *types.Document) (string, []any) {
	ids := 0
	for _, k := range filter.Keys() {
		if k == "_id" {
			ids++
		}
	}
	if ids != 1 {
		return "", nil
	}

	v := must.NotFail(filter.Get("_id"))
	if idIndexed(v) {
		return fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn), []any{idArg(v)}
	}

	cond, ok := v.(*types.Document)
	if !ok {
		return "", nil
	}
	if clause, args := idRangeClause(cond); clause != "" {
		return clause, args
	}
	if cond.Len() != 1 || cond.Keys()[0] != "$in" {
		return "", nil
	}
	in, ok := must.NotFail(cond.Get("$in")).(*types.Array)
	if !ok || in.Len() == 0 || in.Len() > maxIDsInClause {
		return "", nil
	}

	args := make([]any, in.Len())
	for i := range args {
		id := must.NotFail(in.Get(i))
		if !idIndexed(id) {
			return "", nil
		}
		args[i] = idArg(id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, marks), args
}

// idRangeClause answers `_id` between two strings ({$gte or $gt, $lt or $lte}) by the prefix the
// two bounds share: every string between them starts with it. Only the part of that prefix made
// of characters no JSON encoder escapes is used, so that the stored JSON text of every such `_id`
// starts with a quote and that part, and those texts are one range of the index.
func idRangeClause(cond *types.Document) (string, []any) {
	if cond.Len() != 2 {
		return "", nil
	}
	lower, upper := "", ""
	for _, k := range cond.Keys() {
		s, ok := must.NotFail(cond.Get(k)).(string)
		if !ok {
			return "", nil
		}
		switch k {
		case "$gte", "$gt":
			lower = s
		case "$lt", "$lte":
			upper = s
		default:
			return "", nil
		}
	}
	prefix := 0
	for prefix < len(lower) && prefix < len(upper) && lower[prefix] == upper[prefix] && plainJSON(lower[prefix]) {
		prefix++
	}
	if prefix == 0 {
		return "", nil
	}
	from := `"` + lower[:prefix]
	to := from[:len(from)-1] + string(from[len(from)-1]+1)
	return fmt.Sprintf(` WHERE %[1]s >= ? AND %[1]s < ?`, metadata.IDColumn), []any{from, to}
}

// plainJSON reports whether JSON encoders write this byte as itself: letters, digits and a few
// marks (not '<', '>' or '&', which Go's encoder escapes, nor quotes or backslashes).
func plainJSON(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' ||
		b == '-' || b == '_' || b == ':' || b == '.' || b == '|' || b == '*' || b == '+'
}

// idIndexed reports whether an `_id` of this value compares equal only to itself in its JSON form.
func idIndexed(v any) bool {
	switch v.(type) {
	case string, types.ObjectID:
		return true
	default:
		return false
	}
}

func idArg(v any) any {
	return string(must.NotFail(sjson.MarshalSingleValue(v)))
}
