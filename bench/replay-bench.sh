#!/bin/sh
# replay-bench.sh - replay speed: a synthetic build storm (essim synth,
# traces/build-storm.json), imported into a trace store, replayed in closed
# and open mode through a model of three ES clients that answer AUTH_OPEN
# and AUTH_EXEC (NOTIFY events replayed as AUTH with as_auth).  Prints the
# trace size, the import rate and, per mode, trace events per wall second
# and engine events per wall second.
#
#     bench/replay-bench.sh [ESSIM]      (ESSIM defaults to ./essim)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
essim=${1:-./essim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/replay-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/replay-model.sh"

"$essim" synth --quiet -o "$tmp/storm.jsonl" "$top/traces/build-storm.json"
lines=$(wc -l <"$tmp/storm.jsonl")
t0=$(date +%s.%N 2>/dev/null || date +%s)
"$essim" import -o "$tmp/storm.db" "$tmp/storm.jsonl" >/dev/null
t1=$(date +%s.%N 2>/dev/null || date +%s)
echo "trace: $lines events, $(du -k "$tmp/storm.jsonl" | cut -f1) KiB;" \
    "import $(awk -v n="$lines" -v a="$t0" -v b="$t1" \
    'BEGIN { printf "%.0f events/s", n / (b - a) }')"

for mode in closed open; do
	replay_model "replay-bench-$mode" 10m "$tmp/storm.db" "$mode" open exec \
	    >"$tmp/$mode.json"
	"$essim" run --json --no-progress "$tmp/$mode.json" >"$tmp/$mode.out"
	awk -v mode="$mode" -v n="$lines" '
	/"events":/ && !ev { gsub(/[^0-9]/, "", $2); ev = $2 }
	/"wall_s":/ { gsub(/[,]/, "", $2); wall = $2 }
	END { printf "%-6s replay: %.0f trace events/s, %.2fM engine events/s (%.2f s)\n",
	    mode, n / wall, ev / wall / 1e6, wall }' "$tmp/$mode.out"
done
