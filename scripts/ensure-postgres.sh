#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 (the test database server); starts it if it is down.
set -euo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 60); do ready && exit 0; sleep 0.5; done
echo "PostgreSQL is not answering on 127.0.0.1:5432; start it (pg_ctlcluster <version> main start)" >&2
exit 1
