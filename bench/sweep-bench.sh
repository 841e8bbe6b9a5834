#!/bin/sh
# sweep-bench.sh - a 200-run sweep with -j1 and with -j2: wall time of
# each, the speed-up, and the CPU time of the parent and of the workers
# (from essim sweep's own summary line: getrusage of itself and of its
# reaped children), which shows the serial part however loaded the
# machine is.  See bench/README.md.
#
#	bench/sweep-bench.sh [-e ESSIM] [-m MODEL] [-d DURATION] [-r REPEATS]
#
# Defaults: ./essim (or $ESSIM), models/default.json from the source
# tree, -d 40s (about 40 ms of CPU per run), 1 repeat.  The grid is 20
# rates x 10 seeds.  Prints one line per sweep and a summary line.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
essim=${ESSIM:-./essim}
model=$srcdir/models/default.json
duration=40s
repeats=1
while getopts e:m:d:r: opt; do
	case $opt in
	e) essim=$OPTARG ;;
	m) model=$OPTARG ;;
	d) duration=$OPTARG ;;
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-e essim] [-m model] [-d duration] [-r repeats]" >&2
	   exit 2 ;;
	esac
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sweep-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# now: seconds since the epoch with a fraction, portably (perl is on
# every macOS and nearly every Linux; date +%N is GNU only).
now() { perl -MTime::HiRes=time -e 'printf "%.3f\n", time'; }

# run J: one sweep with -j J; prints "wall parent_cpu workers_cpu".
run() {
	rm -f "$tmp/s.db"
	t0=$(now)
	"$essim" sweep "$model" --vary /workload/sources/0/rate=100/s..2000/s:20 \
	    --seeds 10 -d "$duration" -j "$1" --no-progress -o "$tmp/s.db" \
	    > "$tmp/out"
	t1=$(now)
	# "... 2 workers, 5.2 s (CPU: 0.31 s here, 9.80 s in workers)"; an
	# essim without those figures gives 0 0.
	cpu=$(sed -n 's/.*(CPU: \([0-9.]*\) s here, \([0-9.]*\) s in workers).*/\1 \2/p' \
	    "$tmp/out")
	echo "${cpu:-0 0}" | awk -v t0="$t0" -v t1="$t1" \
	    '{ printf "%.2f %s %s\n", t1 - t0, $1, $2 }'
}

echo "essim sweep: 200 runs (20 rates x 10 seeds, -d $duration), $(uname -sm)"
echo "load average before: $(uptime | sed 's/.*load average[s]*: //')"
best1= best2=
i=0
while [ "$i" -lt "$repeats" ]; do
	for j in 1 2; do
		set -- $(run "$j")
		printf -- '-j%s  wall %6.2f s   CPU: parent %5.2f s, workers %6.2f s   (parent %4.1f%%)\n' \
		    "$j" "$1" "$2" "$3" "$(echo "$2 $3" | awk '{ printf "%.1f",
		    ($1 + $2 > 0) ? 100 * $1 / ($1 + $2) : 0 }')"
		if [ "$j" = 1 ]; then
			best1=$(echo "${best1:-$1} $1" | awk '{ print ($2 < $1 ? $2 : $1) }')
		else
			best2=$(echo "${best2:-$1} $1" | awk '{ print ($2 < $1 ? $2 : $1) }')
		fi
	done
	i=$((i + 1))
done
echo "load average after: $(uptime | sed 's/.*load average[s]*: //')"
echo "$best1 $best2" | awk '{ printf "best of runs: -j1 %.2f s, -j2 %.2f s: %.2fx\n", $1, $2, $1 / $2 }'
