#!/bin/bash
# kopanion-disk: a root tree into a raw GPT disk (BIOS boot + ESP + ext4 root)
# that boots under BIOS and UEFI. Read back by real consumers: qemu-img,
# sfdisk, and the libguestfs appliance through `kopanion-disk inspect`.
#
# The tree: $KP_DISK_FIXTURE_ROOT if set, else the tiny appliance's sysroot
# (build/<name>/sysroot, there after make check's build), else a small trixie made once with
# mmdebstrap into /var/tmp/kp-disk-fixture/root (about 70 s, then reused).
. "$(dirname "$0")/../lib.sh"

DISK=$KP_BIN/kopanion-disk
test -x "$DISK" || test_skip_all "build/bin/kopanion-disk not built (run make)"
test_require_cmd qemu-img qemu-utils
test_require_cmd sfdisk fdisk
test_require_cmd python3 python3
test_require_cmd libguestfs-test-tool libguestfs-tools
[ "$(id -u)" = 0 ] || test_skip_all "needs root (reads a root tree owned by root)"

FIXTURE_CACHE=/var/tmp/kp-disk-fixture
FIXTURE_PKGS=linux-image-amd64,systemd-sysv,initramfs-tools,grub-pc-bin,grub-efi-amd64-bin,grub-efi-amd64-signed,shim-signed,grub2-common,e2fsprogs,dosfstools,openssh-server,ifupdown,live-boot,live-config,live-config-systemd

# The fixture carries live-boot and SSH host keys on purpose: the disk must not.
make_fixture() {
	local root=$FIXTURE_CACHE/root
	[ -x "$root/usr/sbin/update-initramfs" ] && { echo "$root"; return 0; }
	command -v mmdebstrap >/dev/null 2>&1 || return 1
	mkdir -p "$FIXTURE_CACHE"
	rm -rf "$root"
	mmdebstrap --mode=root --variant=apt --include="$FIXTURE_PKGS" trixie "$root" \
		http://deb.debian.org/debian >"$FIXTURE_CACHE/mmdebstrap.log" 2>&1 || return 1
	echo "$root"
}

# shellcheck source=tests/vm/lib-vm.sh
. "$KP_ROOT/tests/vm/lib-vm.sh"
# make check builds the tiny appliance first: its sysroot is the real tree.
TINY_SYSROOT=$KP_ROOT/build/$(plan_value KP_NAME)/sysroot
ROOT=${KP_DISK_FIXTURE_ROOT:-}
[ -n "$ROOT" ] || [ ! -d "$TINY_SYSROOT/boot" ] || ROOT=$TINY_SYSROOT
[ -n "$ROOT" ] || ROOT=$(make_fixture) || ROOT=

# key VALUE from an inspect report
key() { sed -n "s/^$1=//p" "$2"; }

no_leftovers() { [ -z "$(ls -A "$1")" ]; }

test_expect_success 'build without --root is a usage error (exit 2) naming the option' '
	mkdir out &&
	rc=0; "$DISK" build --output out/d.raw --size-mib 1024 2>err || rc=$?
	test "$rc" = 2 && grep -q -- "--root" err && no_leftovers out
'

test_expect_success 'a root that is not a directory fails (exit 1), leaves no file' '
	mkdir -p out && : >notadir &&
	rc=0; "$DISK" build --root notadir --output out/d.raw --size-mib 1024 2>err || rc=$?
	test "$rc" = 1 && grep -q "is not a directory" err && no_leftovers out
'

test_expect_success 'a missing root fails (exit 1), leaves no file' '
	mkdir -p out &&
	rc=0; "$DISK" build --root nowhere --output out/d.raw --size-mib 1024 2>err || rc=$?
	test "$rc" = 1 && grep -q "nowhere" err && no_leftovers out
'

test_expect_success 'a disk too small for the layout is refused with the minimum' '
	mkdir -p out tree &&
	rc=0; "$DISK" build --root tree --output out/d.raw --size-mib 100 2>err || rc=$?
	test "$rc" = 1 && grep -q "too small for the layout" err && no_leftovers out
'

if [ -z "$ROOT" ]; then
	test_skip 'build from a trixie tree' "no fixture: set KP_DISK_FIXTURE_ROOT or install mmdebstrap with network access"
	test_done
	exit $?
fi

test_expect_success 'a disk too small for the tree fails before launching, says what size to use, leaves no file' '
	mkdir -p out &&
	rc=0; "$DISK" build --root "$ROOT" --output out/d.raw --size-mib 400 2>err || rc=$?
	cat err &&
	test "$rc" = 1 && grep -q "needs about .* MiB" err && grep -q "use --size-mib [0-9]" err &&
	no_leftovers out
'

SIZE_MIB=2048
OUT=$TEST_TMP/out/kp.raw
mkdir -p "$TEST_TMP/out"
snapshot_tree() { ls -la --time-style=full-iso "$ROOT/etc" "$ROOT/boot" "$ROOT/etc/ssh"; }
snapshot_tree >"$TEST_TMP/tree.before"
"$DISK" build --root "$ROOT" --output "$OUT" --size-mib $SIZE_MIB --hostname kp-test \
	--purge live-boot --purge live-boot-initramfs-tools --purge live-config \
	--purge live-config-systemd --purge live-tools >"$TEST_TMP/build.log" 2>&1
# shellcheck disable=SC2034 # read by the test bodies (eval)
build_rc=$?
# The build's own log, on stderr (shown by prove) when it failed.
if [ "$build_rc" -eq 0 ]; then sed 's/^/# /' "$TEST_TMP/build.log"; else sed 's/^/# build: /' "$TEST_TMP/build.log" >&2; fi

test_expect_success 'build succeeds and leaves only the final file' '
	test "$build_rc" = 0 && test -f "$OUT" &&
	test "$(ls -A out)" = kp.raw
'

test_expect_success 'each step logged one line with its duration' '
	for s in partitioning "copying the tree" "purging packages" "making the initramfs" "installing grub" finishing; do
		grep -q "^disk: $s ([0-9.]* s)$" build.log
	done
'

test_expect_success 'qemu-img reads a raw disk of exactly --size-mib MiB' '
	qemu-img info --output=json "$OUT" >info.json &&
	python3 -c "
import json, sys
i = json.load(open(\"info.json\"))
assert i[\"format\"] == \"raw\", i[\"format\"]
assert i[\"virtual-size\"] == $SIZE_MIB * 1048576, i[\"virtual-size\"]
"
'

test_expect_success 'the raw file is sparse' '
	test "$(du -k "$OUT" | cut -f1)" -lt $((SIZE_MIB * 1024 * 3 / 4))
'

test_expect_success 'sfdisk: GPT, BIOS boot + ESP + root x86-64, names, starts and sizes on 1 MiB' '
	sfdisk --json "$OUT" >pt.json &&
	python3 -c "
import json
t = json.load(open(\"pt.json\"))[\"partitiontable\"]
assert t[\"label\"] == \"gpt\", t[\"label\"]
assert t[\"sectorsize\"] == 512
p = t[\"partitions\"]
want = [(\"21686148-6449-6E6F-744E-656564454649\", \"bios\", 1),
        (\"C12A7328-F81F-11D2-BA4B-00A0C93EC93B\", \"esp\", 256),
        (\"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709\", \"root\", $SIZE_MIB - 1 - 1 - 256 - 1)]
assert len(p) == 3, p
for part, (typ, name, mib) in zip(p, want):
    assert part[\"type\"] == typ, (part, typ)
    assert part[\"name\"] == name, (part, name)
    assert part[\"start\"] % 2048 == 0, part
    assert part[\"size\"] == mib * 2048, (part, mib)
assert p[0][\"start\"] == 2048
"
'

test_expect_success 'inspect reads the disk' '
	"$DISK" inspect "$OUT" >report &&
	cat report &&
	test "$(key partition_table report)" = gpt &&
	test "$(key disk.size_bytes report)" = $((SIZE_MIB * 1048576))
'

test_expect_success 'filesystems: vfat ESP labelled EFI, ext4 root labelled kopanion' '
	test "$(key partition.2.fs_type report)" = vfat &&
	test "$(key partition.2.fs_label report)" = EFI &&
	test "$(key partition.3.fs_type report)" = ext4 &&
	test "$(key partition.3.fs_label report)" = kopanion
'

test_expect_success 'fstab mounts / and /boot/efi by the UUIDs the filesystems carry (COMPAT 20)' '
	root_uuid=$(key partition.3.fs_uuid report) && esp_uuid=$(key partition.2.fs_uuid report) &&
	test -n "$root_uuid" && test -n "$esp_uuid" &&
	test "$(key fstab_entries report)" = 2 &&
	test "$(key fstab.1 report)" = "UUID=$root_uuid / ext4 errors=remount-ro 0 1" &&
	test "$(key fstab.2 report)" = "UUID=$esp_uuid /boot/efi vfat umask=0077 0 2"
'

test_expect_success 'grub.cfg boots root=UUID= of the root filesystem, with serial and VGA consoles' '
	root_uuid=$(key partition.3.fs_uuid report) &&
	cmdline=$(key kernel_cmdline report) &&
	case " $cmdline " in *" root=UUID=$root_uuid "*) ;; *) false ;; esac &&
	case " $cmdline " in *" console=tty0 console=ttyS0,115200n8 "*) ;; *) false ;; esac &&
	! grep -q "root=/dev/" report
'

test_expect_success 'identity per instance: machine-id empty, no SSH host keys (COMPAT 18)' '
	test "$(key machine_id_empty report)" = yes &&
	test "$(key ssh_host_keys report)" = 0
'

test_expect_success 'boot loaders: core.img in BIOS boot; shim + GRUB in EFI/debian and EFI/BOOT (COMPAT 6)' '
	test "$(key bios_boot.core_img report)" = yes &&
	test "$(key esp.boot_bootx64 report)" = yes &&
	test "$(key esp.boot_grubx64 report)" = yes &&
	test "$(key esp.debian_shimx64 report)" = yes &&
	test "$(key esp.debian_grubx64 report)" = yes
'

test_expect_success 'no live-* package stays on the installed disk' '
	grep -q "^live_packages=$" report
'

test_expect_success 'the source tree was read, not changed' '
	snapshot_tree >tree.after && test_cmp tree.before tree.after
'

test_done
