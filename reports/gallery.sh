#!/bin/sh
# gallery.sh - the plots of README's scenario gallery, from `essim run -o`
# and `essim report` on the shipped models (and the sweeps of seeds 000
# and 003, through sweep-000.sh and sweep-003.sh).
#
# usage: gallery.sh [-q] [-j JOBS] [-o IMGDIR] WORKDIR
#
# Each model is run with its own seed into WORKDIR/NAME.db and reported
# into WORKDIR/NAME/; the plot that shows its finding is copied to
# IMGDIR/IMAGE (default: docs/img beside this folder).  -q and -j are
# passed to the sweep scripts (-q: their tiny grids, for tests).  `make gallery`
# runs this into the source tree's docs/img.  The images are the report's
# own PNGs, byte for byte: gnuplot's output is deterministic for the same
# data, so only a changed model, simulator or template changes them.
#
# ESSIM names the essim binary (default: essim on the PATH).
set -eu

usage() {
	echo "usage: gallery.sh [-q] [-j JOBS] [-o IMGDIR] WORKDIR" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
img="$top/docs/img"
sweepopts=
while getopts qj:o: opt; do
	case $opt in
	q) sweepopts="$sweepopts -q" ;;
	j) sweepopts="$sweepopts -j $OPTARG" ;;
	o) img=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
work=$1
: "${ESSIM:=essim}"
export ESSIM
mkdir -p "$work" "$img"

# MODEL PLOT IMAGE: one line per gallery row that is one run; PLOT is the
# report's plot (cdf-types, cdf-clients, threads, queue).
while read -r model plot image; do
	rm -rf "${work:?}/$model.db" "${work:?}/$model"
	"$ESSIM" run -o "$work/$model.db" "$top/models/$model.json" \
	    >"$work/$model.txt" || [ $? -eq 1 ]	# 1: findings, as expected
	"$ESSIM" report -o "$work/$model" "$work/$model.db" >/dev/null
	cp "$work/$model/$plot.png" "$img/$image"
	echo "$img/$image: $plot of $model"
done <<EOF
002-codesign-delivery-queue cdf-types 002-codesign-latency.png
002-codesign-lock queue 002-codesign-lock-queue.png
002-sample-concurrent-queue threads 002-sample-threads.png
003-pathological-3-copies queue 003-pathological-queue.png
001-breakpoint-local-debugger queue 001-breakpoint-queue.png
004-early-boot-past-timeout cdf-types 004-early-boot-latency.png
F1-santa-trustd threads F1-santa-trustd-threads.png
F7-cfprefsd queue F7-cfprefsd-queue.png
F12-blockblock-head-of-line queue F12-blockblock-queue.png
EOF

# Seed 003's sweep: the capacity curves.
# shellcheck disable=SC2086
sh "$top/reports/sweep-003.sh" $sweepopts "$work" >/dev/null
cp "$work/sweep-003/sweep-p50.png" "$img/003-pipeline-sweep-p50.png"
cp "$work/sweep-003/sweep-p99.png" "$img/003-pipeline-sweep-p99.png"
echo "$img/003-pipeline-sweep-p50.png: sweep-p50 of 003-pipeline-sweep"
echo "$img/003-pipeline-sweep-p99.png: sweep-p99 of 003-pipeline-sweep"

# Seed 000's sweep: how often the package wins the race, and the fix.
# shellcheck disable=SC2086
sh "$top/reports/sweep-000.sh" $sweepopts "$work" >/dev/null
cp "$work/sweep-000/sweep-order-1.png" "$img/000-profile-race.png"
cp "$work/sweep-000/sweep-order-2.png" "$img/000-profile-race-2min.png"
echo "$img/000-profile-race.png: sweep-order-1 of 000-profile-package-sweep"
echo "$img/000-profile-race-2min.png: sweep-order-2 of 000-profile-package-sweep"
