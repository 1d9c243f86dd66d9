#!/usr/bin/env bash
# build.sh as a user meets it: a wrong description stops it before anything is
# built, with file:line:column; a second build in the same build dir is refused;
# `deps` is quiet when everything is installed; help and usage errors.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

[ -x "$KP_BIN/kopanion-config" ] || test_skip_all "tools not built: run 'make'"
[ "$(id -u)" -eq 0 ] || test_skip_all "build.sh build needs root"

export FIXTURES=$KP_ROOT/tests/tools/build

test_expect_success 'a typo in a key stops the build with file:line:column, nothing built' '
	rm -rf "$KP_ROOT/build/kp-test-typo" &&
	test_must_fail env KP_IMAGES="$TEST_TMP/images" "$KP_ROOT/build.sh" build --config "$FIXTURES/fail-typo.yaml" 2>err &&
	grep -F "fail-typo.yaml:4:3: unknown key '"'"'vm.cpu'"'"'" err &&
	grep -F "did you mean '"'"'vm.cpus'"'"'" err &&
	grep -F "nothing was built" err &&
	test ! -e "$KP_ROOT/build/kp-test-typo" &&
	test ! -e "$TEST_TMP/images" &&
	test -z "$(find "$KP_ROOT/build" -maxdepth 1 -name ".plan.*")"
'

test_expect_success 'a second build in the same build dir is refused while one runs' '
	sed "s/^name: .*/name: kp-test-lock/; s/^  cpu:/  cpus:/" "$FIXTURES/fail-typo.yaml" >lock.yaml &&
	mkdir -p "$KP_ROOT/build/kp-test-lock" &&
	flock "$KP_ROOT/build/kp-test-lock/.lock" sleep 60 &
	holder=$! &&
	sleep 1 &&
	test_must_fail "$KP_ROOT/build.sh" build --config lock.yaml 2>err;
	rc=$?;
	kill $holder; wait $holder 2>/dev/null || true;
	rm -rf "$KP_ROOT/build/kp-test-lock";
	test $rc = 0 && grep -F "another build is running in $KP_ROOT/build/kp-test-lock" err
'

test_expect_success 'a missing host tool is named with the Debian package that provides it' '
	test_must_fail bash -c ". \"$KP_ROOT/lib/log.sh\"; require_cmd kp-no-such-tool kp-some-package" 2>err &&
	grep -Fx "kopanion: error: '"'"'kp-no-such-tool'"'"' is missing: install the Debian package '"'"'kp-some-package'"'"' (or run '"'"'make deps'"'"')" err
'

test_expect_success 'every command build.sh checks for maps to a package in config/host-packages.txt' '
	bash -c ". \"$KP_ROOT/lib/log.sh\"; . \"$KP_ROOT/lib/deps.sh\"; host_commands" >pairs &&
	test "$(wc -l <pairs)" -ge 20 &&
	grep -Fx "lb live-build" pairs && grep -Fx "qemu-img qemu-utils" pairs && grep -Fx "guestfish libguestfs-tools" pairs
'

test_expect_success 'deps says nothing when every host package is there' '
	"$KP_ROOT/build.sh" deps >out 2>&1 &&
	test ! -s out
'

test_expect_success 'an unknown option is a usage error (exit 2) that shows the usage' '
	rc=0; "$KP_ROOT/build.sh" build --frobnicate 2>err || rc=$?;
	test $rc = 2 && grep -F "unknown option '"'"'--frobnicate'"'"'" err && grep -F "./build.sh build" err
'

test_expect_success 'plan prints the sizing rule applied to the description' '
	"$KP_ROOT/build.sh" plan 2>/dev/null >plan &&
	grep -Fx "KP_DISK_MIB='"'"'71680'"'"'" plan &&
	grep -Fx "KP_MEMORY_MIB='"'"'65536'"'"'" plan &&
	grep -Fx "KP_CPUS='"'"'8'"'"'" plan
'

test_done
