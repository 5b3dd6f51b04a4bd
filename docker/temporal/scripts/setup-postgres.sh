#!/bin/sh
# One-shot, in temporalio/admin-tools: creates Temporal's two PostgreSQL databases and brings their
# schemas up to the image's version. Every step leaves existing work alone (create tolerates an
# existing database, setup-schema keeps a newer recorded version, update-schema applies only newer
# migrations), so it runs on every `docker compose up`, and upgrades the schema after an image bump.
set -eu

: "${DB:=postgres12}"
: "${DB_PORT:=5432}"
: "${POSTGRES_SEEDS:=postgresql}"
: "${POSTGRES_USER:=temporal}"
: "${POSTGRES_PWD:?POSTGRES_PWD must be set}"
export SQL_PASSWORD="$POSTGRES_PWD"

schema_root=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for target in temporal:temporal temporal_visibility:visibility; do
  database=${target%%:*}
  schema=${target##*:}
  echo "schema setup: $database"
  sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$schema_root/$schema/versioned"
done

echo 'schema setup: done'
