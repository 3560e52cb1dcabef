#!/usr/bin/env bash
# Export memory of causerie-comments (issue 13), old binary against new on the
# same large store, in one run:
#
#   1. migrates an empty database with the (older) binary, then writes ROWS
#      approved comments into it with Python's sqlite3 in one transaction:
#      the shape the write benchmark (bench.sh, case `new`) leaves, ten pages
#      /bench/target-0..9, wrk-style bodies
#   2. for each binary, on a fresh copy of that store:
#        rest      RSS after start and one small thread GET
#        one       RSS after one GET /api/export (read to the end), and peak (VmHWM)
#        six       peak RSS sampled every 50 ms while six exports run at once,
#                  and the HTTP statuses they got (503 = told to come back)
#        after     RSS two seconds after the six
#        thread    RSS after GET /api/comments of one /bench/target-K page
#                  (ROWS/10 comments on it)
#
# Usage (from the repository root):
#   OLD=/path/to/old/causerie-comments NEW=target/release/causerie-comments \
#     bash comments-service/bench/export_memory.sh
# Environment:
#   NEW      the binary under test   default target/release/causerie-comments
#   OLD      a binary to compare     default none (NEW only)
#   ROWS     comments in the store   default 195000
#   WORKDIR  scratch directory       default ./export-memory-work
#   PORT     service port            default 18095
set -euo pipefail

NEW="${NEW:-${CARGO_TARGET_DIR:-target}/release/causerie-comments}"
OLD="${OLD:-}"
ROWS="${ROWS:-195000}"
WORKDIR="$(realpath -m "${WORKDIR:-export-memory-work}")"
PORT="${PORT:-18095}"
BASE="http://127.0.0.1:${PORT}"

for b in "$NEW" ${OLD:+"$OLD"}; do
  [ -x "$b" ] || { echo "no binary at $b" >&2; exit 2; }
done
mkdir -p "$WORKDIR"
cat > "$WORKDIR/comments.toml" <<CFG
site_url = "http://127.0.0.1:9"
moderation = "none"

[limits]
comments_per_minute = 0
CFG

SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { echo $(( ($1 + 512) / 1024 )); }

start() { # BIN DB
  RUST_LOG=warn "$1" --config "$WORKDIR/comments.toml" --listen "127.0.0.1:${PORT}" --db "$2" \
    > "$WORKDIR/server.out" 2>> "$WORKDIR/server.log" &
  SPID=$!
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$BASE/healthz" && return 0; sleep 0.05; done
  echo "the service did not start; see $WORKDIR/server.log" >&2
  exit 1
}

stop() { kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=; }

# ------------------------------------------------------------- the store
base="$WORKDIR/base.db"
rm -f "$base" "$base-wal" "$base-shm"
start "${OLD:-$NEW}" "$base"
stop
python3 - "$base" "$ROWS" <<'PY'
import sqlite3, sys
db, rows = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
def row(n):
    t = n % 2 + 1
    md = ("Benchmark comment %d from wrk thread %d: *markdown* with a "
          "[link](https://example.org/%d) and `code`." % (n, t, n))
    html = ('<p>Benchmark comment %d from wrk thread %d: <em>markdown</em> with a '
            '<a href="https://example.org/%d" rel="nofollow ugc">link</a> and '
            '<code>code</code>.</p>\n' % (n, t, n))
    us = 1_764_000_000_000_000 + n * 1000
    return ("/bench/target-%d" % (n % 10), "Bench %d" % t, md, html, us)
with c:
    c.executemany(
        "INSERT INTO comments (page, kind, status, author, body_md, body_html, is_owner,"
        " commenter_key, created_us, updated_us) VALUES (?, 'comment', 'approved', ?, ?, ?, 0,"
        " 'bench', ?, ?)",
        (row(n) + (row(n)[4],) for n in range(rows)))
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.close()
PY
echo "# store: $ROWS approved comments on 10 pages ($(( $(stat -c %s "$base") >> 20 )) MB file); $(nproc) CPUs"

# ------------------------------------------------------------- one binary
measure() { # LABEL BIN
  local label="$1" bin="$2" db="$WORKDIR/run.db"
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$base" "$db"
  start "$bin" "$db"
  curl -fs -o /dev/null "$BASE/api/comments?page=/bench/other"
  sleep 1
  local rest one_rss one_hwm size secs peak=0 r codes after thread_rss tbytes
  rest=$(kb "$SPID" VmRSS)
  read -r size secs < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' "$BASE/api/export")
  sleep 1
  one_rss=$(kb "$SPID" VmRSS); one_hwm=$(kb "$SPID" VmHWM)
  : > "$WORKDIR/codes"
  local pids=()
  for _ in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/export" >> "$WORKDIR/codes" &
    pids+=($!)
  done
  while [ "$(jobs -rp | grep -cvx "$SPID" || true)" -gt 0 ]; do
    r=$(kb "$SPID" VmRSS); [ "${r:-0}" -gt "$peak" ] && peak=$r
    sleep 0.05
  done
  wait "${pids[@]}" 2>/dev/null || true
  r=$(kb "$SPID" VmHWM); [ "$r" -gt "$peak" ] && peak=$r
  codes=$(sort "$WORKDIR/codes" | uniq -c | awk '{printf "%s%s×%s", sep, $1, $2; sep=" "}')
  sleep 2
  after=$(kb "$SPID" VmRSS)
  tbytes=$(curl -s -o /dev/null -w '%{size_download}' "$BASE/api/comments?page=/bench/target-3")
  sleep 1
  thread_rss=$(kb "$SPID" VmRSS)
  stop
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(mb "$rest")" "$(( size >> 20 ))" "$secs" \
    "$(mb "$one_rss")" "$(mb "$one_hwm")" "$(mb "$peak")" "$codes" "$(mb "$after")" \
    "$(mb "$thread_rss") ($(( tbytes >> 10 )) kB)"
}

{
  printf 'binary\trest MB\texport MB\texport s\tRSS after one MB\tpeak one MB\tpeak six MB\tsix statuses\tRSS after six MB\tRSS after big thread\n'
  [ -n "$OLD" ] && measure old "$OLD"
  measure new "$NEW"
} | tee "$WORKDIR/summary.tsv" | column -t -s $'\t'
