#!/usr/bin/env bash
# No-regress benchmark: an old and a new `causerie` binary, in one run, on
# the same gen_corpus.py sites; prints one table and fails (exit 1) when the
# two outputs differ by a byte.
#
# Usage: generator/bench/regress.sh OLD_BIN NEW_BIN
# Environment:
#   W             work directory, on tmpfs            default /dev/shm/causerie-regress
#   SIZES         corpus sizes for the clean builds   default "1000 10000"
#   EDIT_N        corpus size of the one-post rebuilds default 10000
#   RUNS          timed clean builds per binary/size (median shown) default 3
#   COMMENTS_BIN  causerie-comments for the `watch` case (skipped if missing)
#                 default: causerie-comments beside NEW_BIN
#   WATCH_RUNS    comments baked by `watch` per binary default 5
# Columns: wall seconds (median), CPU seconds (user+sys), peak RSS (MB).
# Wall time is only comparable on an idle machine; CPU and RSS are steadier.
set -euo pipefail
OLD=$(realpath "${1:?usage: regress.sh OLD_BIN NEW_BIN}")
NEW=$(realpath "${2:?usage: regress.sh OLD_BIN NEW_BIN}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=${W:-/dev/shm/causerie-regress}
SIZES=${SIZES:-"1000 10000"}
EDIT_N=${EDIT_N:-10000}
RUNS=${RUNS:-3}
WATCH_RUNS=${WATCH_RUNS:-5}
COMMENTS_BIN=${COMMENTS_BIN:-$(dirname "$NEW")/causerie-comments}
mkdir -p "$W"
ROWS="$W/rows.tsv"
: > "$ROWS"
: > "$W/watch.tsv"
FAIL=0

corpus() { # N -> path of a ready site (made once)
  local c="$W/corpus-$1"
  if [ ! -f "$c/causerie.toml" ]; then
    rm -rf "$c"
    python3 "$HERE/gen_corpus.py" "$1" --format plain "$c" >&2
    printf 'title = "Benchmark"\nbase_url = "https://bench.example/"\n' > "$c/causerie.toml"
  fi
  echo "$c"
}

timed() { # LABEL BIN SITE OUT -> appends "wall cpu rss" of one build to $W/t
  if ! /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$2" build --root "$3" --output "$4" > /dev/null 2> "$W/err"; then
    echo "$1: build failed:" >&2; cat "$W/err" >&2; exit 1
  fi
  read -r wall user sys rss < "$W/time"
  echo "$wall $(echo "$user + $sys" | bc) $((rss / 1024))" >> "$W/t"
}

median_row() { # CASE NAME -> one table row from the lines of $W/t
  python3 - "$1" "$2" "$W/t" >> "$ROWS" <<'PY'
import statistics, sys
case, name, path = sys.argv[1:]
rows = [list(map(float, l.split())) for l in open(path) if l.strip()]
med = [statistics.median(c) for c in zip(*rows)]
print(f"{case}\t{name}\t{med[0]:.2f}\t{med[1]:.2f}\t{med[2]:.0f}")
PY
}

same_output() { # A B WHAT
  if diff -r -q "$1" "$2" > "$W/diff.txt"; then
    echo "byte-identical: $3"
  else
    echo "OUTPUTS DIFFER: $3 ($(wc -l < "$W/diff.txt") files, see $W/diff.txt)"
    FAIL=1
  fi
}

for N in $SIZES; do
  src=$(corpus "$N")
  for pair in "old=$OLD" "new=$NEW"; do
    name=${pair%%=*}; bin=${pair#*=}
    site="$W/site-$name-$N"; out="$W/out-$name-$N"
    rm -rf "$site"; cp -r "$src" "$site"
    : > "$W/t"
    for _ in $(seq "$RUNS"); do
      rm -rf "$out" "$site/.causerie"
      timed "clean $N $name" "$bin" "$site" "$out"
    done
    median_row "clean build, $N posts" "$name"
  done
  same_output "$W/out-old-$N" "$W/out-new-$N" "clean build, $N posts"
done

# One-post rebuilds through the CLI (its cache in .causerie/ warm).
N=$EDIT_N
src=$(corpus "$N")
post=$(cd "$src/content/posts" && ls | sort | sed -n 7p)
for pair in "old=$OLD" "new=$NEW"; do
  name=${pair%%=*}; bin=${pair#*=}
  site="$W/site-$name-$N"; out="$W/out-$name-$N"
  [ -d "$site" ] || cp -r "$src" "$site"
  "$bin" build --root "$site" --output "$out" > /dev/null 2>&1
  : > "$W/t"; printf '\nAn edited paragraph.\n' >> "$site/content/posts/$post"
  timed "edit $name" "$bin" "$site" "$out"; median_row "CLI rebuild, edit one post ($N)" "$name"
  : > "$W/t"; sed 's/^title = .*/title = "A new post"/' "$site/content/posts/$post" > "$site/content/posts/zz-new-post.md"
  timed "add $name" "$bin" "$site" "$out"; median_row "CLI rebuild, add one post ($N)" "$name"
  : > "$W/t"; rm "$site/content/posts/zz-new-post.md"
  timed "delete $name" "$bin" "$site" "$out"; median_row "CLI rebuild, delete one post ($N)" "$name"
done
same_output "$W/out-old-$N" "$W/out-new-$N" "after edit, add and delete ($N posts)"

# A comment baked by `watch` (needs the comment service).
if [ -x "$COMMENTS_BIN" ]; then
  for pair in "old=$OLD" "new=$NEW"; do
    name=${pair%%=*}; bin=${pair#*=}
    b="$W/bin-$name"; mkdir -p "$b"
    ln -sf "$bin" "$b/causerie"; ln -sf "$(realpath "$COMMENTS_BIN")" "$b/causerie-comments"
    line=$(B="$b" W="$W/watch-$name" bash "$HERE/watch_comment.sh" "$src" "$WATCH_RUNS" | tail -1)
    ms=$(sed -n 's/.*watch rebuild: median \([0-9.]*\) ms.*/\1/p' <<< "$line")
    baked=$(sed -n 's/.*POST->baked: median \([0-9.]*\) ms.*/\1/p' <<< "$line")
    printf 'comment baked by watch (%s posts)\t%s\t%s\n' "$N" "$name" "watch's rebuild ${ms} ms, POST to page ${baked} ms (medians)" >> "$W/watch.tsv"
  done
else
  echo "no causerie-comments at $COMMENTS_BIN: the watch case is skipped" >&2
fi

echo
printf '| case | binary | wall s | CPU s | peak RSS MB |\n|---|---|---:|---:|---:|\n'
awk -F'\t' '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}' "$ROWS"
if [ -s "$W/watch.tsv" ]; then
  printf '\n| case | binary | figures |\n|---|---|---|\n'
  awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$W/watch.tsv"
fi
exit "$FAIL"
