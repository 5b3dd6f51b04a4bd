#!/bin/sh
# One-shot, in temporalio/admin-tools: waits until the Temporal frontend answers, then creates the
# namespace the engine runs in unless it exists already.
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${DEFAULT_NAMESPACE:-default}"

# Dial an IPv4 address: the CLI can pick an IPv6 answer the frontend does not listen on.
host=${address%:*}
port=${address##*:}
ipv4=$(getent ahosts "$host" | awk '$1 ~ /^[0-9.]+$/ { print $1; exit }')
if [ -n "$ipv4" ]; then
  address="$ipv4:$port"
fi

tries=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "Temporal at $address is not healthy after $tries tries" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
  echo "namespace $namespace exists"
else
  temporal operator namespace create --namespace "$namespace" --address "$address"
  echo "namespace $namespace created"
fi
