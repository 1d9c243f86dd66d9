#!/usr/bin/env bash
# The tiny appliance's qcow2 boots under SeaBIOS and under OVMF (empty NVRAM),
# runs its self-test (system up with no failed units, docker active on ext4,
# a DHCP lease, machine-id and SSH host keys made on first boot, root by UUID,
# root grown to the disk) and prints a PASS verdict; the host reaches sshd
# through a forwarded port, and the two instances have different host keys.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$KP_ROOT/tests/vm/lib-vm.sh"

test_require_cmd qemu-system-x86_64 qemu-system-x86
test_require_cmd qemu-img qemu-utils
[ -f "$OVMF_CODE" ] || test_skip_all "OVMF not installed (Debian package ovmf)"
base=$(plan_value KP_ARTIFACT_BASE)
QCOW2=$KP_ROOT/images/$base.qcow2
if [ -z "$base" ] || [ ! -f "$QCOW2" ]; then
	test_skip_all "no tiny image ($QCOW2): 'make check' builds it first"
fi
export QCOW2

# Each boot gets an overlay 1 GiB larger than the image, to see the root grow.
boot_overlay() {
	mkdir -p "$1" && vm_overlay "$QCOW2" qcow2 "$1/disk.qcow2" 1024
}

test_expect_success 'the qcow2 is a qcow2 of the planned size' '
	qemu-img info --output=json "$QCOW2" >info.json &&
	test "$(jq -r .format info.json)" = qcow2 &&
	test "$(jq -r ".[\"virtual-size\"]" info.json)" = "$(( $(plan_value KP_DISK_MIB) * 1024 * 1024 ))" &&
	test "$(jq -r ".[\"format-specific\"].data.compat" info.json)" = "$(plan_value KP_QCOW2_COMPAT)"
'

for fw in bios uefi; do
	test_expect_success "boots under $fw to a PASS verdict" "
		boot_overlay $fw &&
		vm_boot $fw/disk.qcow2 qcow2 $fw $fw &&
		vm_expect_pass $fw installed
	"
	test_expect_success "under $fw the host reached sshd through the forwarded port" "
		grep -q 'ssh-ed25519 ' $fw/ssh-keyscan
	"
done

test_expect_success 'each instance made its own SSH host key' '
	test -s bios/ssh-keyscan && test -s uefi/ssh-keyscan &&
	test "$(cut -d" " -f3 bios/ssh-keyscan)" != "$(cut -d" " -f3 uefi/ssh-keyscan)"
'

test_expect_success 'the image itself stayed untouched (first-boot state)' '
	qemu-img check "$QCOW2" &&
	test "$(qemu-img info --output=json "$QCOW2" | jq -r ".[\"backing-filename\"]")" = null
'

test_done
