#!/usr/bin/env bash
# Past one machine, measured: bench.sh's wrk cases on three set-ups in one run
#
#   sqlite1   1 instance, SQLite file (the default)
#   pg1       1 instance, PostgreSQL
#   pg3       3 instances on one PostgreSQL database behind nginx
#
# Each set-up is seeded through its own HTTP API (one thread of 50 comments,
# 20 small threads), then wrk runs DURATION seconds per case:
#   thread  GET  /api/comments?page=/bench/thread-50
#   count   GET  /api/counts?page=/bench/post-1&…&page=/bench/post-20
#   new     POST /api/comments (durable: 2xx = committed and fsynced)
# and for pg3 the cross-instance visibility lag: POST on instance A, poll the
# thread on instance B until the new id shows (SAMPLES samples, p50/p99).
# During the PostgreSQL POST cases it samples what the busy backends wait on.
#
# PostgreSQL is a throw-away cluster (initdb in WORKDIR, as the `postgres`
# user when run as root) with its durable defaults: fsync and
# synchronous_commit on. Everything started here is stopped by PID on exit.
#
# Usage: B=target/release bash comments-service/bench/fleet_bench.sh
#   (build first: cargo build --release -p causerie-comments)
# Environment: B (dir of the binary), WORKDIR (default ./causerie-fleet-bench),
#   DURATION THREADS CONNS (default 10 2 32), SAMPLES (default 200),
#   BASE_PORT (default 18200; uses the next 20 ports), CAUSERIE_PG_BIN.
# Output: a table on stdout; WORKDIR/results/summary.tsv and *.wrk.txt.
set -euo pipefail

B="${B:-${CARGO_TARGET_DIR:-target}/release}"
BIN="$(realpath "$B")/causerie-comments"
WORKDIR="$(realpath -m "${WORKDIR:-causerie-fleet-bench}")"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-32}"
SAMPLES="${SAMPLES:-200}"
P="${BASE_PORT:-18200}"
SITE="http://127.0.0.1:$((P + 19))"

die() { echo "fleet_bench: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN is missing: cargo build --release -p causerie-comments"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found (apt-get install nginx)"
PG_BIN="${CAUSERIE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PG_BIN/initdb" ] || die "PostgreSQL is not installed: apt-get install postgresql"

rm -rf "$WORKDIR"
mkdir -p "$WORKDIR/results"
RESULTS="$WORKDIR/results"
SUMMARY="$RESULTS/summary.tsv"
printf 'setup\tcase\treq_s\tp50_ms\tp99_ms\tmax_ms\trequests\tnon2xx\tsock_err\n' > "$SUMMARY"

PIDS=()
PGDATA="$WORKDIR/pg/data"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

echo "# $("$BIN" --version), $(wrk -v 2>&1 | head -1 | cut -c1-30), $("$PG_BIN/postgres" --version), $("$NGINX" -v 2>&1)"
echo "# machine: $(nproc) CPUs; wrk, nginx, PostgreSQL and every instance share them; ${DURATION}s per case, $THREADS threads, $CONNS connections"

# ---------------------------------------------------------------- PostgreSQL
mkdir -p "$WORKDIR/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$WORKDIR/pg"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=trust \
  --no-instructions > "$RESULTS/initdb.log"
PGPORT=$((P + 18))
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORKDIR/pg/postgres.log" -w \
  -o "-h 127.0.0.1 -p $PGPORT -k $WORKDIR/pg -c max_connections=200 ${PG_SETTINGS:-}" start > /dev/null
psql_su() { as_pg "$PG_BIN/psql" -h "$WORKDIR/pg" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 "$@"; }
psql_su -c "CREATE ROLE causerie LOGIN"
for db in pg1 pg3; do psql_su -c "CREATE DATABASE $db OWNER causerie"; done
echo "# PostgreSQL: fsync=$(psql_su -c 'SHOW fsync'), synchronous_commit=$(psql_su -c 'SHOW synchronous_commit')"

# ---------------------------------------------------------------- instances
start_instance() { # NAME PORT STORE-LINE -> appends the PID to PIDS
  local name=$1 port=$2 store=$3 dir="$WORKDIR/$1"
  mkdir -p "$dir"
  cat > "$dir/comments.toml" <<CFG
site_url = "$SITE"
moderation = "none"
trusted_proxies = ["127.0.0.1"]
$store

[limits]
comments_per_minute = 0
CFG
  RUST_LOG=warn "$BIN" --config "$dir/comments.toml" --listen "127.0.0.1:$port" \
    > "$RESULTS/$name.out" 2> "$RESULTS/$name.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && return 0; sleep 0.1; done
  die "$name did not answer on port $port: $(tail -3 "$RESULTS/$name.log")"
}

start_nginx() { # PORT UPSTREAM-PORTS...
  local port=$1; shift
  local dir="$WORKDIR/nginx" servers="" user=""
  mkdir -p "$dir/tmp"
  for u in "$@"; do servers+="    server 127.0.0.1:$u max_fails=1 fail_timeout=2s;"$'\n'; done
  [ "$(id -u)" = 0 ] && user="user root root;"
  cat > "$dir/nginx.conf" <<CONF
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream causerie {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://causerie;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout http_502;
    }
  }
}
CONF
  "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
  PIDS+=($!)
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && return 0; sleep 0.1; done
  die "nginx did not answer on port $port"
}

seed() { # BASE
  python3 - "$1" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def post(d):
    req = urllib.request.Request(base + "/api/comments", data=json.dumps(d).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]
text = ("Thanks for the post, comment {i}. I tried the *second* approach and it worked, "
        "but `cargo build` took **much** longer.\n\n> a quoted line\n\nSee [notes](https://example.org/n/{i}).")
ids = []
for i in range(50):
    d = {"page": "/bench/thread-50", "body": text.format(i=i), "author": "Reader %d" % i,
         "website": "https://example.org/~r%d" % i}
    if i >= 35:
        d["parent"] = ids[(i * 7) % 35]
    ids.append(post(d))
for t in range(1, 21):
    for j in range(t % 6):
        post({"page": "/bench/post-%d" % t, "body": "Short comment %d on post %d." % (j, t), "author": "R%d" % j})
PY
}

# ---------------------------------------------------------------- wrk
cat > "$WORKDIR/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
{ cat "$WORKDIR/report.lua"; cat <<'LUA'
local n = 0
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("tid", counter) end
request = function()
  n = n + 1
  local body = string.format(
    '{"page":"/bench/target-%d","body":"Benchmark comment %d from wrk thread %d: *markdown* with a [link](https://example.org/%d) and `code`.","author":"Bench %d"}',
    n % 10, n, tid, n, tid)
  return wrk.format("POST", "/api/comments", {["Content-Type"] = "application/json"}, body)
end
LUA
} > "$WORKDIR/new.lua"
COUNT_Q=$(python3 -c 'print("&".join("page=/bench/post-%d" % i for i in range(1, 21)))')

# What PostgreSQL's busy backends wait on, every 0.5 s (the write ceiling).
sample_waits() { # DB OUT; runs until killed
  while sleep 0.5; do
    psql_su -d "$1" -c "SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-')
      FROM pg_stat_activity WHERE datname = '$1' AND state = 'active' AND pid <> pg_backend_pid()" || true
  done >> "$2"
}

run_case() { # SETUP CASE URL SCRIPT
  local out="$RESULTS/$1-$2.wrk.txt" sampler=""
  if [ "$2" = new ] && [ "$1" != sqlite1 ]; then
    sample_waits "$1" "$RESULTS/$1-waits.txt" &
    sampler=$!
  fi
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -s "$4" "$3" > "$out" 2>&1 || true
  if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    echo "# $1 new: PostgreSQL backends waiting on (samples): $(sort "$RESULTS/$1-waits.txt" | uniq -c | sort -rn | head -4 | awk '{printf "%s %s; ", $2, $1}')"
  fi
  printf '%s\t%s\t%s\n' "$1" "$2" "$(grep '^RESULT' "$out" | cut -f2-)" >> "$SUMMARY"
}

bench_setup() { # SETUP BASE
  seed "$2"
  run_case "$1" thread "$2/api/comments?page=/bench/thread-50" "$WORKDIR/report.lua"
  run_case "$1" count "$2/api/counts?$COUNT_Q" "$WORKDIR/report.lua"
  run_case "$1" new "$2/api/comments" "$WORKDIR/new.lua"
  echo "# $1 done"
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

start_instance sqlite1 $((P + 1)) "db = \"$WORKDIR/sqlite1/comments.db\""
bench_setup sqlite1 "http://127.0.0.1:$((P + 1))"
stop_all

start_instance pg1 $((P + 2)) "database_url = \"postgres://causerie@127.0.0.1:$PGPORT/pg1\""
bench_setup pg1 "http://127.0.0.1:$((P + 2))"
stop_all

for k in 1 2 3; do
  start_instance "pg3-$k" $((P + 10 + k)) "database_url = \"postgres://causerie@127.0.0.1:$PGPORT/pg3\""
done
start_nginx $((P + 10)) $((P + 11)) $((P + 12)) $((P + 13))
bench_setup pg3 "http://127.0.0.1:$((P + 10))"

# ---------------------------------------------------------------- lag
python3 - "http://127.0.0.1:$((P + 11))" "http://127.0.0.1:$((P + 12))" "$SAMPLES" <<'PY' | tee "$RESULTS/lag.txt"
import json, sys, time, urllib.request
a, b, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def post(base, d):
    req = urllib.request.Request(base + "/api/comments", data=json.dumps(d).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]
def shows(base, page, cid):
    with urllib.request.urlopen(base + "/api/comments?page=" + page) as r:
        return ('"id":%s' % json.dumps(cid)) in r.read().decode().replace(" ", "")
lags, polls = [], 0
for i in range(n):
    page = "/bench/lag-%d" % (i % 10)
    shows(b, page, "warm")  # B has this thread cached before the write
    cid = post(a, {"page": page, "body": "Lag sample %d." % i, "author": "Lag"})
    t0 = time.perf_counter()
    while not shows(b, page, cid):
        polls += 1
        if time.perf_counter() - t0 > 10:
            sys.exit("lag: comment %s never showed on instance B" % cid)
    lags.append((time.perf_counter() - t0) * 1000)
lags.sort()
pct = lambda p: lags[min(len(lags) - 1, int(p / 100 * len(lags)))]
print("lag\tsamples=%d\tp50_ms=%.1f\tp99_ms=%.1f\tmax_ms=%.1f\tpolls_not_yet_visible=%d" % (n, pct(50), pct(99), lags[-1], polls))
PY
stop_all

echo
echo "# summary: $SUMMARY"
column -t -s $'\t' "$SUMMARY"
echo "# cross-instance visibility lag (POST on instance A, poll the thread on B): $(cut -f2- "$RESULTS/lag.txt")"
