// Command ferretdb runs FerretDB v1 (SQLite backend) as a MongoDB-wire server for local
// development and tests. It embeds the ferretdb package instead of building FerretDB's own
// command, whose build needs a generated version file that module downloads do not carry.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI, ending in a slash")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("bad -log-level: %v", err)
	}
	logger := slog.New(deferredAttrs{base: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb listening", "addr", *listen, "sqlite", *sqliteURL)
	if err := f.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// deferredAttrs hands attributes and groups to its base handler only when a record is logged.
// slog's text handler formats attributes as soon as they are attached, whatever the level, and
// FerretDB's SQL layer attaches every statement's arguments (each document of a write, as JSON)
// to a debug logger around every statement: a fifth of its CPU on inserts went to formatting
// text that was never logged.
type deferredAttrs struct {
	base  slog.Handler
	steps []func(slog.Handler) slog.Handler
}

func (h deferredAttrs) Enabled(ctx context.Context, level slog.Level) bool {
	return h.base.Enabled(ctx, level)
}

func (h deferredAttrs) Handle(ctx context.Context, r slog.Record) error {
	handler := h.base
	for _, step := range h.steps {
		handler = step(handler)
	}
	return handler.Handle(ctx, r)
}

func (h deferredAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.then(func(next slog.Handler) slog.Handler { return next.WithAttrs(attrs) })
}

func (h deferredAttrs) WithGroup(name string) slog.Handler {
	return h.then(func(next slog.Handler) slog.Handler { return next.WithGroup(name) })
}

func (h deferredAttrs) then(step func(slog.Handler) slog.Handler) slog.Handler {
	return deferredAttrs{base: h.base, steps: append(slices.Clip(h.steps), step)}
}
