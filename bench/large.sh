#!/usr/bin/env bash
# `make bench-large`: large agreements (issue 19). Imports generated agreements of 2,000 and
# 20,000 clauses (manage.py bench_large_agreement: time and peak memory of the import in a
# child process, the page in-process), then loads their page and the text page of the first
# article through gunicorn (2 workers, the bench settings) with wrk, p50/p95/p99 from
# bench/report.lua. Not part of the tests or CI. Results: docs/performance.md, "Large agreements".
#
# Settings (environment): PY, BENCH_DB (moa_bench_large), BENCH_PG, BENCH_PORT (8199),
# BENCH_REDIS (redis://127.0.0.1:6379/9), BENCH_CLAUSES ("2000 20000"), BENCH_DURATION (10 s),
# BENCH_REPEAT (40 in-process requests per page).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
BENCH_DB=${BENCH_DB:-moa_bench_large}
BENCH_PG=${BENCH_PG:-postgres://moa:moa@127.0.0.1:5432}
PORT=${BENCH_PORT:-8199}
CLAUSES=${BENCH_CLAUSES:-2000 20000}
RUN_DIR=var/bench
mkdir -p "$RUN_DIR"

export DJANGO_SETTINGS_MODULE=moa_portal.settings.bench
export DATABASE_URL="$BENCH_PG/$BENCH_DB"
export SECRET_KEY=${SECRET_KEY:-bench-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export SECURE_SSL_REDIRECT=false
export CONN_MAX_AGE=60
export REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/9}
export LOG_LEVEL=WARNING
# Production refuses to start without a mail server and a public https address; nothing is sent.
export EMAIL_URL=${EMAIL_URL:-smtp://127.0.0.1:25}
export PORTAL_URL=${PORTAL_URL:-https://moa.example.gov}
export DEFAULT_FROM_EMAIL=${DEFAULT_FROM_EMAIL:-moa-portal@example.gov}

echo "== machine: nproc $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - <<'PY'
import os, psycopg2
url, name = os.environ["DATABASE_URL"].rsplit("/", 1)
c = psycopg2.connect(url + "/postgres"); c.autocommit = True
cur = c.cursor(); cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
if cur.fetchone() is None:
    cur.execute(f'CREATE DATABASE "{name}"')
    print(f"created {name}")
PY
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0

echo "== import and page in-process"
# shellcheck disable=SC2086
"$PY" manage.py bench_large_agreement --clauses $CLAUSES --repeat "${BENCH_REPEAT:-40}" --json "$RUN_DIR/large.json"
COOKIE=$("$PY" manage.py bench_session --username bench.large)

echo "== gunicorn on 127.0.0.1:$PORT"
"$BIN/gunicorn" moa_portal.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" \
  --error-logfile "$RUN_DIR/gunicorn-large.log" &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null; wait "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/accounts/login/', timeout=2)" \
    2>/dev/null && break
  sleep 1
done

echo "== load (wrk -t1 -c2, ${BENCH_DURATION:-10} s per page)"
for n in $CLAUSES; do
  for path in $("$PY" - "$RUN_DIR/large.json" "$n" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["clauses"] == int(sys.argv[2]):
        print(" ".join(p["path"] for p in r["pages"] if p["status"] == 200))
PY
); do
    printf '%6s clauses %s: ' "$n" "$path"
    BENCH_COOKIE="$COOKIE" wrk -t1 -c2 -d"${BENCH_DURATION:-10}s" --timeout 30s -s bench/report.lua \
      "http://127.0.0.1:$PORT$path" | tail -1
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
