# shellcheck shell=bash
# A small sharness-style test library that speaks TAP (read by prove).
#
#   . "$(dirname "$0")/../lib.sh"
#   test_require_cmd skopeo skopeo          # skip the whole file, with the reason, if missing
#   test_expect_success 'what it proves' '
#       some command && test "$(cmd)" = value
#   '
#   test_done
#
# Each test body runs in a subshell with `set -e` inside $TEST_TMP (a fresh
# folder per file, removed at the end); its output is shown on failure, and
# for every test with KP_TEST_VERBOSE=1 (prove -v shows it).

set -u
KP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KP_BIN=$KP_ROOT/build/bin
export KP_ROOT KP_BIN
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}

test_count=0
test_failed=0
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kp-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

# test_expect_success DESCRIPTION BODY
test_expect_success() {
	local desc=$1 body=$2 log rc
	test_count=$((test_count + 1))
	log=$TEST_TMP/.log.$test_count
	(cd "$TEST_TMP" && set -e && eval "$body") >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $test_count - $desc"
		# KP_TEST_VERBOSE=1: what a passing test printed (the values it
		# compared, the times it measured), as TAP comments.
		if [ -n "${KP_TEST_VERBOSE:-}" ]; then
			sed 's/^/#   /' "$log"
		fi
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		# On stderr: prove shows it without --verbose, so a CI log says why.
		{
			echo "# failed: $desc"
			sed 's/^/#   /' "$log"
			echo "#   (exit $rc)"
		} >&2
	fi
}

# test_skip DESCRIPTION REASON: a single test that cannot run here.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# test_must_fail CMD...: succeeds only when CMD fails the ordinary way
# (exit 1 or 2), not by a crash or a signal.
test_must_fail() {
	local rc=0
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ "$rc" -gt 2 ]; then
		echo "test_must_fail: '$*' died with exit $rc" >&2
		return 1
	fi
	return 0
}

# test_skip_all REASON: nothing in this file can run here.
test_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# test_require_cmd CMD PACKAGE: skip the file unless CMD is installed.
test_require_cmd() {
	command -v "$1" >/dev/null 2>&1 || test_skip_all "$1 not installed (Debian package $2; 'make deps' installs it)"
}

# test_cmp EXPECTED ACTUAL: like sharness, shows a diff on mismatch.
test_cmp() {
	diff -u "$1" "$2"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}
