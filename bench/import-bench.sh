#!/bin/sh
# import-bench.sh - how fast `essim import` is on a large eslogger file.
#
#     bench/import-bench.sh [SIZE_MB]        (default 200; also $SIZE_MB)
#
# Builds a JSON Lines file of about SIZE_MB megabytes from the real
# recordings in traces/eslogger/ (the pretty-printed ones compacted first),
# varying what a long capture varies: time (20,000 events/s), seq_num and
# global_seq_num (one message in 1,000 dropped), thread ids, and 5,000
# distinct preference-file paths.  It then imports the file into a fresh
# store, imports it again (nothing added: the cost of recognising it), and
# prints essim's summary lines: MB/s, events/s and peak RSS.
#
# Environment: ESSIM (default ./essim), TMPDIR (where the ~SIZE_MB file and
# the store go), KEEP=1 to keep them.  Not part of `make check`.
set -eu
size_mb=${1:-${SIZE_MB:-200}}
essim=${ESSIM:-./essim}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/essim-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
src="$top/traces/eslogger"

# One compact object per line.  Pretty-printed eslogger output has no
# newline inside strings, so stripping each line's indentation is exact.
{
	cat "$src/mullvad-process-rs_samples.jsonl"
	for f in tstromberg-esl_exec tstromberg-esl_lookup tstromberg-esl_opens; do
		awk '{ sub(/^[ \t]+/, ""); printf "%s", $0 } END { print "" }' \
		    "$src/$f.json" | sed 's/}{/}\
{/g'
	done
} >"$work/templates.jsonl"

bytes=$((size_mb * 1000000))
echo "generating ~${size_mb} MB from $(wc -l <"$work/templates.jsonl") real events..."
awk -v bytes="$bytes" '
	{ tpl[n++] = $0 }
	END {
		gsn = 0
		for (i = 0; out < bytes; i++) {
			line = tpl[i % n]
			gsn += (i % 1000 == 999) ? 2 : 1
			t = i * 50000			# ns: 20,000 events/s
			s = int(t / 1000000000)
			ts = sprintf("2026-07-01T%02d:%02d:%02d.%09dZ",
			    int(s / 3600) % 24, int(s / 60) % 60, s % 60,
			    t % 1000000000)
			sub(/"time": ?"[^"]*"/, "\"time\":\"" ts "\"", line)
			sub(/"global_seq_num": ?[0-9]+/, "\"global_seq_num\":" gsn, line)
			sub(/"seq_num": ?[0-9]+/, "\"seq_num\":" i, line)
			sub(/"thread_id": ?[0-9]+/, "\"thread_id\":" (1000 + i % 64), line)
			sub(/com\.apple\.Terminal\.plist/, "com.apple.Terminal" (i % 5000) ".plist", line)
			print line
			out += length(line) + 1
		}
	}' "$work/templates.jsonl" >"$work/big.jsonl"
ls -l "$work/big.jsonl" | awk '{ printf "file: %.1f MB, ", $5 / 1e6 }'
wc -l <"$work/big.jsonl" | awk '{ print $1 " events" }'

echo "== import into a new store"
"$essim" import --verbose -o "$work/big.db" "$work/big.jsonl" | sed "s|$work/||g"
ls -l "$work/big.db" | awk '{ printf "store: %.1f MB\n", $5 / 1e6 }'
echo "== import again (already imported)"
"$essim" import --verbose -o "$work/big.db" "$work/big.jsonl" | sed "s|$work/||g"
echo "== trace info"
"$essim" trace info --top 3 "$work/big.db" | sed -n '/^events/,/^processes/p'
