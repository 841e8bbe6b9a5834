#!/bin/sh
# sweep-000.sh - seed 000's race as a probability: how often the package
# wins (the extension loads before its approval profile is installed)
# against the APNs delivery median, for the race and for the fix
# (models/000-profile-package-sweep.json), and its report.
#
# usage: sweep-000.sh [-q] [-j JOBS] OUTDIR
#
# Writes OUTDIR/sweep-000.db (the sweep) and OUTDIR/sweep-000/ (the report
# of `essim report`): sweep-order-1.png is P(kext_loaded before
# profile_installed), the failure, and sweep-order-2.png P(kext_loaded
# before two_minutes), the extension in place within two minutes, each
# with 95% Wilson intervals over the seeds.  The full sweep is 2 variants
# (the agent waits for its own download, i.e. not at all: the race; or for
# profile_installed: the fix) x 8 APNs medians (30 s to 5 min, p99 kept
# at 20 min) x 1000 seeds: 16000 runs of 2 h of virtual time, a few
# seconds of CPU.  -q is the same command on a tiny grid (30 s and 5 min,
# 50 seeds), which tests/gallery.test runs.
#
# ESSIM names the essim binary (default: essim on the PATH); the model is
# found beside this script, in ../models/.
set -eu

name=sweep-000.sh
. "$(dirname "$0")/sweep-args.sh"
model="$top/models/000-profile-package-sweep.json"

# The variant is the flag the agent waits for after its download (see the
# model's "about"); the x axis the median delay of the APNs push.
variant='/processes/vendor-agent/program/2/wait_flag=package_downloaded,profile_installed'
apns=/processes/apsd/program/0/sleep/lognormal/median
if [ "$quick" -eq 1 ]; then
	set -- --vary "$variant" --vary "$apns=30s,5m" --seeds 50
else
	set -- --vary "$variant" --vary "$apns=30s,45s,1m,90s,2m,3m,4m,5m" \
	    --seeds 1000
fi
[ -n "$jobs" ] && set -- "$@" -j "$jobs"

mkdir -p "$out"
rm -rf "$out/sweep-000.db" "$out/sweep-000"
"$ESSIM" sweep "$model" "$@" -o "$out/sweep-000.db"
"$ESSIM" report --x "$apns" --order kext_loaded,profile_installed \
    --order kext_loaded,two_minutes -o "$out/sweep-000" "$out/sweep-000.db"
