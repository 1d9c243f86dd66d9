#!/usr/bin/env bash
# The tiny appliance's hybrid ISO: its layout has a real EFI system partition
# (not only an El Torito image), and the live system boots to a PASS verdict
# as a CD under SeaBIOS and written raw to a disk (a USB stick seen as a hard
# disk) under OVMF with empty NVRAM. In the live session Docker stays off
# (no container storage on overlayfs, COMPAT 17): the self-test checks that.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/lib-vm.sh
. "$KP_ROOT/tests/vm/lib-vm.sh"

test_require_cmd xorriso xorriso
test_require_cmd sfdisk fdisk
vm_require_artifact iso ISO

test_expect_success 'El Torito has a BIOS and a UEFI boot image' '
	xorriso -indev "$ISO" -report_el_torito plain 2>/dev/null >eltorito &&
	grep -Eq "El Torito boot img : +[0-9]+ +BIOS +y" eltorito &&
	grep -Eq "El Torito boot img : +[0-9]+ +UEFI +y" eltorito
'

test_expect_success 'the hybrid MBR has an EFI system partition (type ef) a USB boot can find' '
	sfdisk --json "$ISO" >pt.json &&
	test "$(jq -r "[.partitiontable.partitions[] | select(.type == \"ef\")] | length" pt.json)" = 1
'

test_expect_success 'boots as a CD under SeaBIOS to a live PASS verdict' '
	mkdir -p cd &&
	vm_boot "" raw bios cd -cdrom "$ISO" &&
	vm_expect_pass cd live
'

test_expect_success 'boots as a USB-style hard disk under OVMF (empty NVRAM) to a live PASS verdict' '
	mkdir -p stick &&
	qemu-img create -q -f qcow2 -F raw -b "$ISO" stick/stick.qcow2 &&
	vm_boot stick/stick.qcow2 qcow2 uefi stick &&
	vm_expect_pass stick live
'

test_done
