#!/usr/bin/env bash
# One new comment -> `causerie watch` rebuild, on a gen_corpus.py site with
# 10 000 comments already baked (5 each on the first 2 000 posts).
#
# Usage: generator/bench/watch_comment.sh CORPUS_DIR [RUNS]
#   CORPUS_DIR  a `gen_corpus.py N --format plain` output (copied, not changed)
#   B           directory of the release binaries (default target/release)
#   W           work directory, ideally on tmpfs (default /dev/shm/causerie-wb)
#   SVC_PORT    the comment service's port (default 8787)
#   HOOK_PORT   watch's rebuild hook port (default 1112); pick others when
#               someone else may run this benchmark on the same machine
# Prints, per comment, the time from the POST to the comment in the page
# file, and watch's own "Total in" line; then the medians.
set -u
CORPUS=${1:?usage: watch_comment.sh CORPUS_DIR [RUNS]}
RUNS=${2:-15}
B=$(realpath "${B:-target/release}")
W=${W:-/dev/shm/causerie-wb}
SVC_PORT=${SVC_PORT:-8787}
HOOK_PORT=${HOOK_PORT:-1112}
rm -rf "$W"; mkdir -p "$W"
cp -r "$CORPUS" "$W/site"
printf 'site_url = "https://bench.example/"\nmoderation = "none"\nallow_private_addresses = true\n[limits]\ncomments_per_minute = 0\n[spam]\nmin_submit_seconds = 0\n' > "$W/c.toml"
"$B/causerie-comments" --config "$W/c.toml" --listen 127.0.0.1:$SVC_PORT --db "$W/c.db" > "$W/svc.log" 2>&1 &
SVC=$!
sleep 1
printf 'title = "Benchmark"\nbase_url = "https://bench.example/"\n[comments]\nurl = "http://127.0.0.1:%s"\n' "$SVC_PORT" > "$W/site/causerie.toml"
ls "$W/site/content/posts" | sed -n 1,2000p | sed 's/\.md$//' > "$W/slugs"
for k in 1 2 3 4 5; do sed "s|.*|/posts/&/|" "$W/slugs"; done |
  xargs -P 4 -I{} curl -s -o /dev/null -X POST http://127.0.0.1:$SVC_PORT/api/comments \
    -H 'content-type: application/json' \
    -d '{"page":"{}","author":"Seed","body":"A seeded comment with **markdown** and a [link](https://example.org/)."}'
kill $SVC; wait $SVC 2>/dev/null
printf '[rebuild]\nwebhook = "http://127.0.0.1:%s/_causerie/rebuild"\ndebounce_ms = 100\n' "$HOOK_PORT" >> "$W/c.toml"
"$B/causerie-comments" --config "$W/c.toml" --listen 127.0.0.1:$SVC_PORT --db "$W/c.db" >> "$W/svc.log" 2>&1 &
SVC=$!
sleep 1
cd "$W/site"
CAUSERIE_PROFILE=1 "$B/causerie" watch --port $HOOK_PORT > "$W/watch.log" 2> "$W/watch.err" &
WP=$!
until grep -q "Total in" "$W/watch.log"; do sleep 0.5; done
echo "initial build: $(grep 'Total in' "$W/watch.log" | head -1)"
sleep 5
RUN=$(date +%s)
slug=$(sed -n 7p "$W/slugs")
page="$W/site/public/posts/$slug/index.html"
for i in $(seq 1 "$RUNS"); do
  n=$(grep -c "Total in" "$W/watch.log")
  s=$(date +%s%N)
  curl -s -o /dev/null -X POST http://127.0.0.1:$SVC_PORT/api/comments -H 'content-type: application/json' \
    -d "{\"page\":\"/posts/$slug/\",\"author\":\"Reader\",\"body\":\"Bench $RUN comment $i.\"}"
  until grep -q "Bench $RUN comment $i\." "$page" 2>/dev/null; do sleep 0.005; done
  e=$(date +%s%N)
  until [ "$(grep -c 'Total in' "$W/watch.log")" -gt "$n" ]; do sleep 0.01; done
  echo "comment $i: POST->baked $(( (e-s)/1000000 )) ms; watch: $(grep 'Total in' "$W/watch.log" | tail -1)"
  sleep 1.5
done | tee "$W/runs.txt"
kill -INT $WP; wait $WP
kill $SVC; wait $SVC 2>/dev/null
python3 - "$W/runs.txt" <<'PY'
import re, statistics, sys
s = open(sys.argv[1]).read()
t = [int(m) for m in re.findall(r"Total in (\d+) ms", s)]
b = [int(m) for m in re.findall(r"POST->baked (\d+) ms", s)]
print(f"watch rebuild: median {statistics.median(t)} ms, {min(t)}-{max(t)} ms; "
      f"POST->baked: median {statistics.median(b)} ms, {min(b)}-{max(b)} ms ({len(t)} comments)")
PY
