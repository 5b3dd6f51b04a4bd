package handler

import "sync"

// writeMu serializes updates, findAndModify and deletes within the server. FerretDB v1 reads the
// matching documents, filters them in Go and writes them back in separate steps, so two concurrent
// compare-and-set updates ({_id, status: "draft"} → "running") could both win. MongoDB guarantees
// single-document atomicity; under this lock FerretDB does too. SQLite serializes writes anyway.
var writeMu sync.Mutex
