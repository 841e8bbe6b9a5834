#!/bin/sh
# big-bench.sh - memory against input size (issue #8): for each size N
# (millions of trace events), synthesise N M events of steady load
# (bench/steady.json: four processes opening files, 20,000 events per
# trace second), import them into a trace store and replay the store
# (open mode, or BIG_MODE=closed) through three ES clients answering
# AUTH_OPEN (as in replay-bench.sh, the NOTIFY opens replayed as AUTH).  Prints one line per
# size: wall time and peak RSS of the import and of the replay.  Peak RSS
# must stay flat as N grows: memory follows what is in flight, not the
# length of the trace.
#
#     bench/big-bench.sh [ESSIM [SIZE...]]     (default: ./essim 1 3 10)
#
# The eslogger JSON takes about 1.9 GB per million events and lives only
# until it is imported; the stores (about 0.3 GB per million) are removed
# at the end unless BIG_KEEP=DIR names a folder to keep them in, where a
# later run reuses them and only replays.  Peak RSS comes from GNU time
# (-v) or BSD time (-l), whichever /usr/bin/time is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
essim=${1:-./essim}
[ $# -gt 0 ] && shift
sizes=${*:-1 3 10}
mode=${BIG_MODE:-open}
if [ -n "${BIG_KEEP:-}" ]; then
	mkdir -p "$BIG_KEEP"
	keep=$(cd "$BIG_KEEP" && pwd)
else
	keep=
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/big-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/replay-model.sh"

if /usr/bin/time -v true >/dev/null 2>&1; then
	tflag=-v
else
	tflag=-l
fi

# measure LOG CMD...: run CMD under time(1); print "SECONDS KIB".
measure() {
	log=$1
	shift
	s0=$(date +%s)
	/usr/bin/time $tflag "$@" >"$log.out" 2>"$log"
	s1=$(date +%s)
	awk -v dt=$((s1 - s0)) -v fl=$tflag '
	/Maximum resident set size/ { kb = $NF }
	/maximum resident set size/ { kb = $1 / 1024 }
	END { printf "%d %d\n", dt, kb }' "$log"
}

printf '%-8s %8s %10s %12s %10s %12s\n' events "store MB" "import s" \
    "import RSS" "replay s" "replay RSS"
for n in $sizes; do
	db=${keep:-$tmp}/steady-${n}M.db
	if [ ! -f "$db" ]; then
		"$essim" synth --quiet --duration "$((n * 50))s" \
		    -o "$tmp/steady.jsonl" "$here/steady.json"
		set -- $(measure "$tmp/import.log" "$essim" import \
		    -o "$db" "$tmp/steady.jsonl")
		rm -f "$tmp/steady.jsonl"
		imp_s=$1 imp_kb=$2
	else
		imp_s=- imp_kb=-
	fi
	replay_model big-bench 2h "$db" "$mode" open >"$tmp/model.json"
	set -- $(measure "$tmp/run.log" "$essim" run --no-progress \
	    "$tmp/model.json")
	printf '%-8s %8d %10s %9s KiB %10s %9s KiB\n' "${n}M" \
	    "$(($(wc -c <"$db") / 1048576))" "$imp_s" "$imp_kb" "$1" "$2"
done
