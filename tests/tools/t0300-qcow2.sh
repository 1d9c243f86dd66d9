#!/usr/bin/env bash
# The qcow2 stage (lib/artifacts.sh stage_qcow2) on a small raw disk, read
# back by qemu-img: the compat level the plan asks for (1.1, or 0.10 for old
# hypervisors), optional compression, a virtual size equal to the raw disk's
# (a whole number of MiB), contents identical, check clean.
. "$(dirname "$0")/../lib.sh"

test_require_cmd qemu-img qemu-utils
test_require_cmd jq jq

# run_stage_qcow2 COMPAT COMPRESS: stage_qcow2 on raw.img with that plan,
# in its own bash with errexit as build.sh runs it (a function called in a
# test's && chain would run with errexit off); the artifact is images/st.qcow2.
run_stage_qcow2() {
	mkdir -p work images && cp --sparse=always raw.img work/disk.raw &&
		KP_WORK=$TEST_TMP/work KP_IMAGES=$TEST_TMP/images KP_ARTIFACT_BASE=st \
			KP_QCOW2_COMPAT="$1" KP_QCOW2_COMPRESS="$2" \
			bash -euo pipefail -c '. "$1/lib/artifacts.sh" && stage_qcow2' _ "$KP_ROOT"
}

# info FIELD: a field of qemu-img's JSON about images/st.qcow2 (jq path).
info() { qemu-img info --output=json images/st.qcow2 | jq -r "$1"; }

# expect_eq WHAT GOT WANT
expect_eq() {
	echo "$1: got '$2', want '$3'"
	[ "$2" = "$3" ]
}

test_expect_success 'setup: a 48 MiB raw disk, 8 MiB of it compressible text, the rest holes' '
	truncate -s 48M raw.img &&
	yes "Kopanion appliance test data" | head -c 8M | dd of=raw.img bs=1M seek=4 conv=notrunc status=none
'

test_expect_success 'compat 1.1, uncompressed: the default' '
	run_stage_qcow2 1.1 false >log &&
	expect_eq format "$(info .format)" qcow2 &&
	expect_eq compat "$(info ".[\"format-specific\"].data.compat")" 1.1 &&
	expect_eq "virtual size" "$(info ".[\"virtual-size\"]")" $((48 * 1024 * 1024)) &&
	qemu-img check --output=json images/st.qcow2 >check.json &&
	expect_eq "compressed clusters" "$(jq -r ".[\"compressed-clusters\"] // 0" check.json)" 0 &&
	qemu-img compare -f raw -F qcow2 raw.img images/st.qcow2 &&
	stat -c %s images/st.qcow2 >size-plain
'

test_expect_success 'compat 0.10 with compression: old format, compressed clusters, same contents, smaller file' '
	run_stage_qcow2 0.10 true >log &&
	expect_eq compat "$(info ".[\"format-specific\"].data.compat")" 0.10 &&
	expect_eq "virtual size" "$(info ".[\"virtual-size\"]")" $((48 * 1024 * 1024)) &&
	qemu-img check --output=json images/st.qcow2 >check.json &&
	expect_eq "check errors" "$(jq -r ".[\"check-errors\"]" check.json)" 0 &&
	compressed=$(jq -r ".[\"compressed-clusters\"]" check.json) &&
	echo "compressed clusters: $compressed" && test "$compressed" -gt 0 &&
	qemu-img compare -f raw -F qcow2 raw.img images/st.qcow2 &&
	echo "file: $(stat -c %s images/st.qcow2) bytes compressed, $(cat size-plain) plain" &&
	test "$(stat -c %s images/st.qcow2)" -lt $(($(cat size-plain) / 4))
'

test_expect_success 'the artifact gets its final name only when complete; no temporary file is left' '
	grep -q "^published .*/images/st.qcow2 (" log &&
	test "$(ls -A images)" = st.qcow2 &&
	! test -e work/disk.qcow2
'

test_expect_success 'a failed conversion leaves the published qcow2 as it was' '
	cp images/st.qcow2 before.qcow2 &&
	test_must_fail run_stage_qcow2 9.9 false >log 2>&1 &&
	cmp before.qcow2 images/st.qcow2 &&
	test "$(ls -A images)" = st.qcow2
'

test_done
