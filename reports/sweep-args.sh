# sweep-args.sh - the command line of reports/sweep-*.sh, sourced by them
# after they set `name` (their file name, for the usage line):
#
#	[-q] [-j JOBS] OUTDIR
#
# sets quick (1 with -q: the tiny grid tests/gallery.test runs), jobs
# (empty: essim's default), out, top (the source tree the script is in)
# and ESSIM (default: essim on the PATH).

usage() {
	echo "usage: $name [-q] [-j JOBS] OUTDIR" >&2
	exit 2
}

quick=0
jobs=
while getopts qj: opt; do
	case $opt in
	q) quick=1 ;;
	j) jobs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
out=$1
: "${ESSIM:=essim}"
top=$(cd "$(dirname "$0")/.." && pwd)
