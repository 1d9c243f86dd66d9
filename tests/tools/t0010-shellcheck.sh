#!/usr/bin/env bash
# Every shell file of the project is shellcheck clean (STYLE: shell conventions).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

test_require_cmd shellcheck shellcheck

shell_files() {
	cd "$KP_ROOT" &&
		git ls-files -- build.sh 'lib/*.sh' 'hooks/*.hook.chroot' config/live/auto/config \
			'overlays/usr/lib/kopanion/*' 'tests/*.sh' 'containers/*.sh' .ci/run
}

test_expect_success 'there are shell files to check' '
	test "$(shell_files | wc -l)" -gt 10
'

while read -r f; do
	test_expect_success "shellcheck: $f" "cd \"\$KP_ROOT\" && shellcheck -x \"$f\""
done < <(shell_files)

test_done
