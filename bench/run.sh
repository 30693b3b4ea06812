#!/usr/bin/env bash
# `make bench`: the portal at scale, served by gunicorn (2 workers, the bench settings:
# production's plus the bench app; PostgreSQL) and loaded by wrk from a second process on
# loopback. Not part of the tests or CI: a timed figure never fails a build. Results and how
# to read them: docs/performance.md.
#
# Settings (environment): PY (python of the virtualenv), BENCH_DB (moa_bench), BENCH_PG
# (postgres://moa:moa@127.0.0.1:5432), BENCH_PORT (8199), BENCH_SCALE (1), BENCH_DURATION
# (20 seconds per page), BENCH_CONNECTIONS (4), BENCH_ONLY (page names, space separated),
# BENCH_SKIP_JOBS (set: skip the job timings), BENCH_REDIS (redis://127.0.0.1:6379/9),
# BENCH_NODES (1; 2 = two gunicorns on BENCH_PORT+1 and +2 behind nginx on BENCH_PORT, the
# reference site of deploy/nginx rendered by moa_portal/deploy_site.py, one database and Redis),
# BENCH_WORKERS (gunicorn workers per node: 2 for one node, 1 each for two), API_THROTTLE_USER
# (lifted for the run: the load asks the API with one token).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
BENCH_DB=${BENCH_DB:-moa_bench}
BENCH_PG=${BENCH_PG:-postgres://moa:moa@127.0.0.1:5432}
PORT=${BENCH_PORT:-8199}
RUN_DIR=var/bench/$BENCH_DB  # results of each database (scale) kept apart
mkdir -p "$RUN_DIR"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk
fi

export DJANGO_SETTINGS_MODULE=moa_portal.settings.bench
export DATABASE_URL="$BENCH_PG/$BENCH_DB"
export SECRET_KEY=${SECRET_KEY:-bench-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export SECURE_SSL_REDIRECT=false
export CONN_MAX_AGE=60
# Redis as in production: the broker, and the cache that keeps rendered dashboards.
export REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/9}
export LOG_LEVEL=WARNING
# What production refuses to start without (moa_portal/checks.py). No page under load sends
# mail; bench_jobs sends its notices to a loopback SMTP server of its own.
export EMAIL_URL=${EMAIL_URL:-smtp://127.0.0.1:25}
export PORTAL_URL=${PORTAL_URL:-https://moa.example.gov}
export DEFAULT_FROM_EMAIL="${DEFAULT_FROM_EMAIL:-MOA Portal <moa-portal@example.gov>}"
# The load asks the API with one token, far over the 600 a minute allowed to a user in
# production (API_THROTTLE_USER): the bench measures the endpoints' answers, not 429s.
export API_THROTTLE_USER=${API_THROTTLE_USER:-1000000/minute}
NODES=${BENCH_NODES:-1}
WORKERS=${BENCH_WORKERS:-$(( NODES > 1 ? 1 : 2 ))}

echo "== machine"
echo "nproc $(nproc); memory $(free -m | awk '/^Mem:/ {print $2 " MiB"}'); CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "PostgreSQL $("$PY" - <<'PY'
import os, psycopg2
c = psycopg2.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
cur = c.cursor(); cur.execute("SHOW server_version"); print(cur.fetchone()[0])
PY
)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== database $BENCH_DB"
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
"$PY" manage.py generate_bench_data --scale "${BENCH_SCALE:-1}"
"$PY" manage.py collectstatic --no-input -v0
COOKIE=$("$PY" manage.py bench_session)
# The API token, the DOC admin, the draft and the text reading the load asks for.
FIXTURES=$("$PY" manage.py bench_fixtures)
fixture() { printf '%s\n' "$FIXTURES" | sed -n "s/^$1=//p"; }
ADMIN_COOKIE=$("$PY" manage.py bench_session --username "$(fixture admin)")
PARTY=$("$PY" manage.py shell -v0 -c "from agreements.models import Party; print(Party.objects.get(acronym='DOC').pk)")
# The portal's today (TIME_ZONE's), not the machine's: between midnight UTC and midnight in New
# York a progress update "as of" the UTC date is in the future, and the post is refused.
TODAY=$("$PY" manage.py shell -v0 -c "from core.time import today; print(today().isoformat())")

echo "== queries per page (in-process, test client; the same at every scale)"
"$PY" manage.py bench_queries --draft "$(fixture draft)" --reading "$(fixture reading)" \
  --admin "$(fixture admin)" --token "$(fixture token)" --json "$RUN_DIR/queries.json"

PIDS=()
GUNICORNS=()  # the gunicorn masters (one per web node): their workers' memory is sampled
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null || true' EXIT
wait_for() {
  for _ in $(seq 1 60); do
    "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/accounts/login/', timeout=2)" \
      2>/dev/null && return 0
    sleep 1
  done
  echo "nothing answers on 127.0.0.1:$1" >&2
  return 1
}
if [ "$NODES" = 1 ]; then
  echo "== gunicorn on 127.0.0.1:$PORT ($WORKERS workers)"
  "$BIN/gunicorn" moa_portal.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --error-logfile "$RUN_DIR/gunicorn.log" &
  PIDS+=($!)
  GUNICORNS+=($!)
else
  UPSTREAMS=()
  for n in $(seq 1 "$NODES"); do
    NODE_PORT=$((PORT + n))
    echo "== web node $n: gunicorn on 127.0.0.1:$NODE_PORT ($WORKERS workers)"
    "$BIN/gunicorn" moa_portal.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$NODE_PORT" \
      --error-logfile "$RUN_DIR/gunicorn-$n.log" &
    PIDS+=($!)
    GUNICORNS+=($!)
    UPSTREAMS+=(--upstream "$NODE_PORT")
  done
  STATIC_DIR=$("$PY" -c "from django.conf import settings; import django; django.setup(); print(settings.STATIC_ROOT)")
  MEDIA_DIR=$("$PY" -c "from django.conf import settings; import django; django.setup(); print(settings.MEDIA_ROOT)")
  mkdir -p "$MEDIA_DIR"
  CONF=$("$PY" -m moa_portal.deploy_site --folder "$RUN_DIR/nginx" --port "$PORT" "${UPSTREAMS[@]}" \
    --static-root "$STATIC_DIR" --evidence-root "$MEDIA_DIR")
  echo "== nginx on 127.0.0.1:$PORT (deploy/nginx/moa-portal.conf, upstream: $NODES nodes)"
  /usr/sbin/nginx -p "$(dirname "$CONF")" -c "$CONF" -e "$(dirname "$CONF")/error.log" &
  PIDS+=($!)
  for n in $(seq 1 "$NODES"); do wait_for $((PORT + n)); done
fi
wait_for "$PORT"

# The workers' memory over the run: every worker's RSS every 5 s, into var/bench/rss.log.
( while kill -0 "${GUNICORNS[0]}" 2>/dev/null; do
    for w in $(for g in "${GUNICORNS[@]}"; do pgrep -P "$g"; done); do
      echo "$(date +%s) $w $(awk '/^VmRSS/ {print $2}' "/proc/$w/status" 2>/dev/null)"
    done
    sleep 5
  done ) > "$RUN_DIR/rss.log" &

# Issue 8's Celery job timings: bench_jobs times each job in its JOBS table (empty until merged).
if [ -z "${BENCH_SKIP_JOBS:-}" ] && "$PY" manage.py help bench_jobs >/dev/null 2>&1; then
  echo "== jobs"
  "$PY" manage.py bench_jobs
fi

echo "== load"
# shellcheck disable=SC2086
"$PY" bench/loadtest.py --base "http://127.0.0.1:$PORT" --cookie "$COOKIE" --party "$PARTY" --today "$TODAY" \
  --admin-cookie "$ADMIN_COOKIE" --token "$(fixture token)" --draft "$(fixture draft)" --reading "$(fixture reading)" \
  --duration "${BENCH_DURATION:-20}" --rounds "${BENCH_ROUNDS:-4}" --connections "${BENCH_CONNECTIONS:-4}" \
  --json "$RUN_DIR/results.json" ${BENCH_ONLY:+--only $BENCH_ONLY}
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== gunicorn workers' memory (RSS, MiB: first sample, last sample, largest)"
awk '$3 != "" { if (!($2 in first)) first[$2] = $3; last[$2] = $3; if ($3 > max[$2]) max[$2] = $3 }
     END { for (w in first) printf "worker %s: %.1f -> %.1f (max %.1f)\n", w, first[w]/1024, last[w]/1024, max[w]/1024 }' \
  "$RUN_DIR/rss.log"

# The progress post adds thousands of updates to one item per run; take them out again, so
# every run starts from the same dataset (the updates CSV and the timeline would grow).
echo "== removing the progress updates the load posted"
"$PY" manage.py shell -v0 <<'PY'
from django.db import transaction

from activities.models import ProgressUpdate
from activities.services import commitment_status_refresh
from agreements.models import Commitment

with transaction.atomic():  # the refresh locks the item (select_for_update)
    posted = ProgressUpdate.objects.filter(narrative="Bench load")
    items = list(Commitment.objects.filter(updates__narrative="Bench load").distinct())
    removed, _ = posted.delete()
    for item in items:
        commitment_status_refresh(commitment=item)
print(f"removed {removed} rows")
PY
