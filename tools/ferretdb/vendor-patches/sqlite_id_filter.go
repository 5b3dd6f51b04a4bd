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
// string or ObjectID, or in a list of them, whatever else the filter asks. FerretDB v1 used the
// index only when `_id` was the filter's one key, so {_id: x, status: "pending"} read the whole
// collection. Every handler filters the documents a backend returns again in Go (and pushes no
// limit down with a filter), so answering part of a filter here cannot change a result.
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
	if !ok || cond.Len() != 1 || cond.Keys()[0] != "$in" {
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
