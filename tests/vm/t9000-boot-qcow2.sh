#!/usr/bin/env bash
# The tiny appliance's qcow2 boots under SeaBIOS and under OVMF (empty NVRAM),
# runs its self-test (system up with no failed units, docker active on ext4,
# a DHCP lease, machine-id and SSH host keys made on first boot, root by UUID,
# root grown to the disk) and prints a PASS verdict; the host reaches sshd
# through a forwarded port, and the two instances have different host keys.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$KP_ROOT/tests/vm/lib-vm.sh"

vm_require_artifact qcow2 QCOW2

# Each boot gets an overlay 1 GiB larger than the image, to see the root grow.
boot_overlay() {
	local dir=$1 size
	mkdir -p "$dir"
	size=$(qemu-img info --output=json "$QCOW2" | jq '.["virtual-size"]')
	qemu-img create -q -f qcow2 -F qcow2 -b "$QCOW2" "$dir/disk.qcow2" $((size + 1024 * 1024 * 1024))
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
