#!/bin/sh
# world-bench.sh - time `essim run` on bench/world-1m.json (1,000,000 AUTH
# syscalls through three ES clients) and print engine events per second,
# simulated seconds per wall-clock second and peak resident set size,
# then what the analyses cost in wall time: ROUNDS (default 5) rounds of
# one run with them and one without (essim run --no-analyses), alternated
# so that both see the same load, and the medians compared.
#
#     [ROUNDS=N] bench/world-bench.sh [ESSIM [MODEL]]
#
# ESSIM defaults to ./essim (run from a build directory), MODEL to the
# world-1m.json next to this script.  Peak RSS comes from /usr/bin/time
# (GNU -v on Linux, BSD -l on macOS) when it is there.  The run is repeated
# with a tenth of the duration to show that memory does not grow with the
# simulated time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
essim=${1:-./essim}
model=${2:-$here/world-1m.json}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/world-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if /usr/bin/time -v true >/dev/null 2>&1; then
	timeopt=-v
elif /usr/bin/time -l true >/dev/null 2>&1; then
	timeopt=-l
else
	timeopt=
fi

# run DURATION [OPTION]: one run; prints "events wall sim_ns rss_kb".
run() {
	if [ -n "$timeopt" ]; then
		/usr/bin/time $timeopt "$essim" run --json ${1:+--duration "$1"} \
		    ${2:-} "$model" >"$tmp/out" 2>"$tmp/time"
	else
		"$essim" run --json ${1:+--duration "$1"} ${2:-} "$model" \
		    >"$tmp/out"
		: >"$tmp/time"
	fi
	awk '
	/"events":/ { gsub(/[^0-9]/, "", $2); ev = $2 }
	/"wall_s":/ { gsub(/[,]/, "", $2); wall = $2 }
	/"sim_ns":/ { gsub(/[^0-9]/, "", $2); sim = $2 }
	END { printf "%s %s %s ", ev, wall, sim }' "$tmp/out"
	awk '
	/Maximum resident set size/ { print $NF; found = 1 }	# GNU, in KiB
	/maximum resident set size/ { print int($1 / 1024); found = 1 }	# BSD, bytes
	END { if (!found) print "?" }' "$tmp/time"
}

set -- $(run "")
printf 'model            %s\n' "$model"
printf 'engine events    %s\n' "$1"
printf 'wall time        %.3f s\n' "$2"
printf 'events/s         %.2fM\n' "$(echo "$1 $2" | awk '{ print $1 / $2 / 1e6 }')"
printf 'simulated s/s    %.1f\n' "$(echo "$3 $2" | awk '{ print $1 / 1e9 / $2 }')"
printf 'peak RSS         %s KiB\n' "$4"
set -- $(run 10s)
printf 'peak RSS (10 s)  %s KiB  (memory does not grow with the duration)\n' "$4"
# median FILE: the median of the numbers in FILE, one per line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rounds=${ROUNDS:-5}
: >"$tmp/with"
: >"$tmp/without"
i=0
while [ "$i" -lt "$rounds" ]; do
	set -- $(run "")
	echo "$2" >>"$tmp/with"
	set -- $(run "" --no-analyses)
	echo "$2" >>"$tmp/without"
	i=$((i + 1))
done
with=$(median "$tmp/with")
without=$(median "$tmp/without")
printf 'with analyses    %.3f s  (median of %d)\n' "$with" "$rounds"
printf 'no analyses      %.3f s  (median of %d)\n' "$without" "$rounds"
printf 'analyses cost    %+.1f%% of the run without them\n' \
    "$(echo "$with $without" | awk '{ print ($1 / $2 - 1) * 100 }')"
