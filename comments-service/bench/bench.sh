#!/usr/bin/env bash
# Throughput/latency/memory benchmark of causerie-comments, the same cases as
# generator/bench/isso_bench.sh runs against Isso, so the figures compare:
#
#   1. writes a config (SQLite file, moderation off, rate limit off) and starts
#      the release binary on 127.0.0.1 (no stub site is needed: without a pages
#      manifest every page is open)
#   2. seeds through the service's own HTTP API: one thread with 50 comments
#      (35 top-level, 15 replies, the same markdown bodies as the Isso seed)
#      and 20 further threads holding 0..5 comments each
#   3. runs wrk, DURATION seconds each, THREADS threads / CONNS connections:
#        thread     GET  /api/comments?page=/bench/thread-50   (the embed's fetch)
#        count      GET  /api/counts?page=/bench/post-1&…&page=/bench/post-20
#        new        POST /api/comments  JSON comment on /bench/target-K (Lua script)
#        thread_c1  the thread GET again, 1 thread / 1 connection for 10 s
#   4. samples RSS/PSS of the server at rest and during load
#   5. checks the database afterwards (rows, synchronous=FULL durability is the
#      only mode: every 2xx was fsynced) and stops the server by PID
#
# Usage: bash comments-service/bench/bench.sh   (from the repository root)
# Environment:
#   BIN          the binary        default target/release/causerie-comments (built if missing)
#   WORKDIR      scratch directory default ./causerie-bench-work
#   PORT         service port      default 18090
#   DURATION THREADS CONNS WRK_TIMEOUT   as in isso_bench.sh   default 20 2 32 10s
# Output: WORKDIR/results/*.wrk.txt and WORKDIR/results/summary.tsv (same columns as Isso's)
set -euo pipefail

BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/causerie-comments}"
WORKDIR="$(realpath -m "${WORKDIR:-causerie-bench-work}")"
PORT="${PORT:-18090}"
DURATION="${DURATION:-20}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-32}"
WRK_TIMEOUT="${WRK_TIMEOUT:-10s}"
BASE="http://127.0.0.1:${PORT}"
SITE="http://127.0.0.1:18091"
MODE=causerie

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release -q -p causerie-comments
mkdir -p "$WORKDIR/results"
RESULTS="$WORKDIR/results"
SUMMARY="$RESULTS/summary.tsv"
printf 'mode\tcase\treq_s\tp50_ms\tp99_ms\tmax_ms\trequests\tnon2xx_3xx\tsock_err\trss_rest_mb\trss_load_max_mb\tpss_load_max_mb\n' > "$SUMMARY"

SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

echo "# $("$BIN" --version), $(wrk -v 2>&1 | head -1 | cut -c1-40)"
echo "# machine: $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk and server share the CPUs"

mem_mb() { # PID -> "rss_mb pss_mb"
  local r s
  r=$(awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  s=$(awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0)
  echo "$(( ${r:-0} / 1024 )) $(( ${s:-0} / 1024 ))"
}

db="$WORKDIR/comments.db"
rm -f "$db" "$db-wal" "$db-shm"
cat > "$WORKDIR/comments.toml" <<CFG
site_url = "${SITE}"
moderation = "none"

[limits]
# off, as Isso's guard is relaxed in its benchmark; the limiter itself is
# exercised by the tests
comments_per_minute = 0
CFG
RUST_LOG=warn "$BIN" --config "$WORKDIR/comments.toml" --listen "127.0.0.1:${PORT}" --db "$db" \
  > "$RESULTS/$MODE-server.out" 2> "$RESULTS/$MODE-server.log" &
SPID=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "$BASE/healthz" && break; sleep 0.1; done

# ---------------------------------------------------------------- seeding
python3 - "$BASE" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def post(payload):
    req = urllib.request.Request(base + "/api/comments", data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        assert r.status in (201, 202), r.status
        return json.load(r)
body = ("Thanks for the post, comment {i}. I tried the *second* approach from the "
        "article and it worked, but `cargo build` took **much** longer than I expected.\n\n"
        "> quoted line from the article\n\nSee [my notes](https://example.org/notes/{i}) "
        "for the details; happy to send a patch.")
ids = []
for i in range(50):
    d = {"page": "/bench/thread-50", "body": body.format(i=i), "author": "Reader %d" % i,
         "website": "https://example.org/~r%d" % i, "email": "reader%d@example.org" % i}
    if i >= 35:
        d["parent"] = ids[(i * 7) % 35]
    ids.append(post(d)["id"])
for t in range(1, 21):
    for j in range(t % 6):
        post({"page": "/bench/post-%d" % t, "body": "Short comment %d on post %d." % (j, t), "author": "R%d" % j})
print("seeded 50 + %d comments" % sum(t % 6 for t in range(1, 21)))
PY

# ---------------------------------------------------------------- wrk scripts
cat > "$WORKDIR/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%d\n",
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
  local k = n % 10
  local body = string.format(
    '{"page":"/bench/target-%d","body":"Benchmark comment %d from wrk thread %d: *markdown* with a [link](https://example.org/%d) and `code`.","author":"Bench %d","email":null,"website":null}',
    k, n, tid, n, tid)
  return wrk.format("POST", "/api/comments", {["Content-Type"] = "application/json"}, body)
end
LUA
} > "$WORKDIR/new.lua"
COUNT_Q=$(python3 -c 'print("&".join("page=/bench/post-%d" % i for i in range(1, 21)))')

run_case() { # CASE URL SCRIPT [THREADS CONNS DURATION]
  local case="$1" url="$2" script="$3" t="${4:-$THREADS}" c="${5:-$CONNS}" d="${6:-$DURATION}"
  local rest peak=0 peakp=0 m r p line
  rest=$(mem_mb "$SPID" | cut -d' ' -f1)
  wrk -t"$t" -c"$c" -d"${d}s" --timeout "$WRK_TIMEOUT" --latency -s "$script" "$url" \
    > "$RESULTS/$MODE-$case.wrk.txt" 2>&1 &
  local wpid=$!
  while kill -0 "$wpid" 2>/dev/null; do
    m=$(mem_mb "$SPID"); r=${m% *}; p=${m#* }
    [ "$r" -gt "$peak" ] && peak=$r
    [ "$p" -gt "$peakp" ] && peakp=$p
    sleep 0.5
  done
  wait "$wpid" || true
  line=$(grep '^RESULT' "$RESULTS/$MODE-$case.wrk.txt" | cut -f2-)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$MODE" "$case" "$line" "$rest" "$peak" "$peakp" | tee -a "$SUMMARY"
}

bytes=$(curl -s "$BASE/api/comments?page=/bench/thread-50" | wc -c)
counts=$(curl -s "$BASE/api/counts?page=/bench/post-1&page=/bench/post-5&page=/bench/post-6")
echo "# $MODE: thread-50 JSON = $bytes bytes; counts(post-1,5,6) = $counts"
sleep 2
echo "# $MODE: rest RSS/PSS MB = $(mem_mb "$SPID")"
run_case thread "$BASE/api/comments?page=/bench/thread-50" "$WORKDIR/report.lua"
run_case count "$BASE/api/counts?$COUNT_Q" "$WORKDIR/report.lua"
run_case new "$BASE/api/comments" "$WORKDIR/new.lua"
run_case thread_c1 "$BASE/api/comments?page=/bench/thread-50" "$WORKDIR/report.lua" 1 1 10
sleep 2
echo "# $MODE: rest RSS/PSS MB after load = $(mem_mb "$SPID")"
total=$(curl -s "$BASE/api/export" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["comments"]))')
echo "# $MODE: comments exported after run = $total; wrk 'new' non-2xx = $(grep '^RESULT' "$RESULTS/$MODE-new.wrk.txt" | cut -f7)"
kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
echo "# summary: $SUMMARY"
column -t -s $'\t' "$SUMMARY"
