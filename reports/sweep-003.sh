#!/bin/sh
# sweep-003.sh - seed 003's capacity sweep: AUTH_OPEN latency of 1, 2 and 3
# security products against the open rate (models/003-pipeline-sweep.json),
# and its report.
#
# usage: sweep-003.sh [-q] [-j JOBS] OUTDIR
#
# Writes OUTDIR/sweep-003.db (the sweep) and OUTDIR/sweep-003/ (the report
# of `essim report`: index.html, sweep-p50.png, sweep-p99.png, ...).
# The full sweep is 3 product counts x 12 open rates (250/s to 3000/s) x
# 3 seeds, 20 s of virtual time each: 108 runs, about 20 s of CPU.  -q is
# the same command on a tiny grid (the three product counts at 250/s and
# 3000/s, one seed, 2 s each), which tests/gallery.test runs.
#
# ESSIM names the essim binary (default: essim on the PATH); the model is
# found beside this script, in ../models/.
set -eu

name=sweep-003.sh
. "$(dirname "$0")/sweep-args.sh"
model="$top/models/003-pipeline-sweep.json"

# The number of products is the flag acme's init sets (see the model's
# "about"); the load is the open rate.  Execs stay at 50/s.
products='/clients/acme/init/0/set=acme,acme+defender,acme+defender+falcon'
if [ "$quick" -eq 1 ]; then
	set -- --vary "$products" --vary '/workload/sources/0/rate=250/s,3000/s' \
	    --seeds 1 --duration 2s
else
	set -- --vary "$products" --vary '/workload/sources/0/rate=250/s..3000/s:12' \
	    --seeds 3
fi
[ -n "$jobs" ] && set -- "$@" -j "$jobs"

mkdir -p "$out"
rm -rf "$out/sweep-003.db" "$out/sweep-003"
"$ESSIM" sweep "$model" "$@" -o "$out/sweep-003.db"
"$ESSIM" report --x /workload/sources/0/rate -o "$out/sweep-003" "$out/sweep-003.db"
