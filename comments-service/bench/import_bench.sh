#!/usr/bin/env bash
# Moving in at scale: a generated WordPress export of POSTS posts and COMMENTS
# comments through `causerie import` (content), `causerie-comments import`
# (conversation) and, on the same file in the same run, Isso's own importer
# (`isso import -t wordpress`). Prints wall time and peak RSS of each.
#
# usage: B=target/release comments-service/bench/import_bench.sh [POSTS] [COMMENTS]
# Needs: release binaries in $B, GNU time (/usr/bin/time), Isso (tests/run
# installs it in tests/.venv; or set ISSO=/path/to/isso). Work dir on tmpfs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=$(realpath "${B:-$root/target/release}")
posts=${1:-10000}
comments=${2:-100000}
isso=${ISSO:-$root/tests/.venv/bin/isso}
w=$(mktemp -d "${TMPDIR_BENCH:-/dev/shm}/causerie-import-XXXX")
trap 'rm -rf "$w"' EXIT

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$w/time" "$@" > "$w/out" 2> "$w/err" || { echo "$label failed:"; tail -n 5 "$w/err"; exit 1; }
  read -r secs kb < "$w/time"
  printf '| %-44s | %8.2f s | %7.0f MB | %s\n' "$label" "$secs" "$((kb / 1024))" "$(grep -m1 '^imported' "$w/out" || tail -n 1 "$w/out")"
}

python3 "$root/comments-service/bench/gen_wxr.py" "$posts" "$comments" > "$w/export.xml"
echo "export: $posts posts, $comments comments, $(du -m "$w/export.xml" | cut -f1) MB; $(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg)"
mkdir -p "$w/site/content/posts"
printf 'base_url = "https://blog.example/"\ntitle = "Bench"\n' > "$w/site/causerie.toml"
printf 'site_url = "https://blog.example/"\n' > "$w/comments.toml"

echo "| step | time | peak RSS | summary"
echo "|---|---:|---:|---"
measure "causerie import wordpress" "$B/causerie" import wordpress "$w/export.xml" --root "$w/site"
measure "causerie build (for the pages manifest)" "$B/causerie" build --root "$w/site"
measure "causerie-comments import wordpress" "$B/causerie-comments" import wordpress "$w/export.xml" \
  --config "$w/comments.toml" --db "$w/comments.db" --site "$w/site"
measure "causerie-comments import again (idempotent)" "$B/causerie-comments" import wordpress "$w/export.xml" \
  --config "$w/comments.toml" --db "$w/comments.db" --site "$w/site"
if [ -x "$isso" ]; then
  printf '[general]\ndbpath = %s/isso.db\nhost = https://blog.example/\n' "$w" > "$w/isso.cfg"
  measure "isso import -t wordpress (Isso $("$isso" --version 2>&1 | awk '{print $NF}'))" "$isso" -c "$w/isso.cfg" import -t wordpress "$w/export.xml"
else
  echo "(Isso not found at $isso: run tests/run once, or set ISSO)"
fi
