# lib.sh - helpers for the script tests that drive the essim binary.
# Sourced by tests/*.test; each test prints what failed and exits non-zero.

: "${ESSIM:=./essim}"
: "${top_srcdir:=.}"
fails=0
passes=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/essim-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_exit CODE CMD... : run CMD, capture stdout/stderr in $tmp/out, $tmp/err
expect_exit() {
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want"; sed 's/^/  | /' "$tmp/err"
		return 1
	fi
	pass
}

# expect_grep FILE PATTERN : FILE ($tmp/out or $tmp/err) contains PATTERN
expect_grep() {
	if grep -q -- "$2" "$1"; then pass; else
		fail "$(basename "$1") lacks '$2'"; sed 's/^/  | /' "$1"; fi
}

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}
