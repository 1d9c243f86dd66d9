# shellcheck shell=bash
# `build.sh bench`: stage times and sizes of a full rebuild, beside reference
# figures measured in the same run on the same machine:
#   - mmdebstrap installing the same package set into a tarball (vs rootfs)
#   - tar | zstd of the same root tree (vs the ISO's squashfs stage)
#   - qemu-img convert raw -> qcow2 (vs the disk stage)
#   - qemu-img's streamOptimized VMDK, sha256sum and GNU tar (vs the ova stage,
#     which also writes the descriptor and verifies the result)
# and the time from power-on to the self-test verdict under QEMU.
# Ratios are what count: absolute times on shared machines are noisy.

bench_package_set() {
	sed -e 's/#.*//' "$KP_ROOT"/config/live/package-lists/*.list.chroot | awk 'NF { print $1 }'
	echo linux-image-amd64
	# shellcheck disable=SC2086
	printf '%s\n' $KP_PACKAGES $KP_LIVE_PACKAGES
}

# time_of CMD...: seconds CMD took (its output goes to the bench log).
time_of() {
	local t0
	t0=$(now)
	"$@" >>"$KP_WORK/logs/bench.log" 2>&1 || die "bench step failed: $*; see $KP_WORK/logs/bench.log"
	elapsed "$t0"
}

bench_mmdebstrap() {
	local out=$KP_WORK/bench-mmdebstrap.tar
	# Downloads everything (apt's archive cache cannot be shared into its
	# chroot by an option): compare with a cold-cache rootfs stage.
	time_of mmdebstrap --variant=minbase --mode=root \
		--include="$(bench_package_set | paste -sd, -)" \
		--aptopt='APT::Install-Recommends "false"' \
		--skip=download/empty \
		"$KP_SUITE" "$out" "$KP_MIRROR" "deb $KP_MIRROR $KP_SUITE-updates main" \
		"deb http://deb.debian.org/debian-security $KP_SUITE-security main"
	rm -f "$out"
}

bench_zstd_tree() {
	time_of sh -c "tar -C '$(live_dir)/chroot' --exclude=./proc --exclude=./sys -cf - . | zstd -q -T0 -3 >/dev/null"
}

bench_qemu_img() {
	local out=$KP_WORK/bench.qcow2
	time_of qemu-img convert -f raw -O qcow2 "$(raw_disk)" "$out"
	rm -f "$out"
}

# plain_ova DIR: the plain tools' OVA of the same disk: VMDK, one digest,
# ustar, no checks.
plain_ova() {
	qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$(raw_disk)" "$1/d-disk1.vmdk" &&
		(cd "$1" && sha256sum d-disk1.vmdk >d.mf && tar --format=ustar -cf d.ova d.mf d-disk1.vmdk)
}

bench_ova_tools() {
	local dir=$KP_WORK/bench-ova
	rm -rf "$dir" && mkdir -p "$dir"
	time_of plain_ova "$dir"
	rm -rf "$dir"
}

# Seconds from QEMU's start to the verdict line on the serial console (BIOS).
bench_boot_to_verdict() {
	local dir=$KP_WORK/bench-boot t0
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck source=tests/vm/lib-vm.sh
	. "$KP_ROOT/tests/vm/lib-vm.sh"
	qemu-img create -q -f qcow2 -F qcow2 -b "$KP_IMAGES/$KP_ARTIFACT_BASE.qcow2" "$dir/disk.qcow2"
	t0=$(now)
	vm_boot "$dir/disk.qcow2" qcow2 bios "$dir" >/dev/null 2>&1
	case $(vm_verdict "$dir") in
	*PASS*) elapsed "$t0" ;;
	*) echo "no-pass" ;;
	esac
}

bench_row() { printf '%-34s %10s %10s %8s\n' "$1" "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
stage_time() { awk -v s="$1" '$1 == s { print $2 }' "$KP_WORK/timings"; }

cmd_bench() {
	local ref_mm ref_zstd ref_img ref_ova boot ext f
	require_root
	load_plan
	log "bench: full rebuild of $KP_ARTIFACT_BASE (warm package cache), then the references"
	# shellcheck disable=SC2034 # read by run_stage
	KP_FORCE=true
	build_plan
	: >"$KP_WORK/logs/bench.log"
	ref_mm=$(bench_mmdebstrap)
	ref_zstd=$(bench_zstd_tree)
	ref_img=$(bench_qemu_img)
	ref_ova=$(bench_ova_tools)
	boot=$(bench_boot_to_verdict)
	echo
	bench_row "what" "ours (s)" "ref (s)" "ratio"
	bench_row "containers (cached tars kept)" "$(stage_time containers)" "" ""
	bench_row "rootfs vs mmdebstrap (cold) same set" "$(stage_time rootfs)" "$ref_mm" "$(ratio "$(stage_time rootfs)" "$ref_mm")"
	bench_row "iso vs tar|zstd of the tree" "$(stage_time iso)" "$ref_zstd" "$(ratio "$(stage_time iso)" "$ref_zstd")"
	bench_row "disk vs qemu-img convert raw" "$(stage_time disk)" "$ref_img" "$(ratio "$(stage_time disk)" "$ref_img")"
	bench_row "qcow2" "$(stage_time qcow2)" "" ""
	bench_row "ova vs qemu-img+sha256sum+tar" "$(stage_time ova)" "$ref_ova" "$(ratio "$(stage_time ova)" "$ref_ova")"
	bench_row "boot to self-test verdict (BIOS)" "$boot" "" ""
	echo
	for ext in $KP_ARTIFACTS; do
		f="$KP_IMAGES/$KP_ARTIFACT_BASE.$ext"
		[ -f "$f" ] && printf '%-34s %14s bytes\n' "size of ${f##*/}" "$(stat -c %s "$f")"
	done
	printf 'qemu accel: %s\n' "$(qemu_accel)"
}
