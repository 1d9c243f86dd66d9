#!/usr/bin/env bash
# The appliance's OVA (the tiny one unless KP_TEST_PROFILE says otherwise),
# read by real consumers: our verifier, qemu-img on the extracted VMDK,
# virt-v2v (-i ova, converting to a local qcow2 and a libvirt XML), and QEMU
# booting the VMDK on VMware-like devices to the self-test's PASS verdict:
# under SeaBIOS on VMware's PVSCSI with vmxnet3 and on LSI SCSI with e1000,
# under OVMF (empty NVRAM) on SATA (AHCI) with e1000. Debian 12's OVMF has no
# PvScsiDxe, MptScsiDxe or LsiScsiDxe (only virtio-scsi among the SCSI HBAs),
# so UEFI cannot boot from a PVSCSI or LSI disk here; SATA is the controller
# of the proxmox and virtualbox targets and boots under VMware's EFI too. The
# values the OVF, the VMDK and virt-v2v report must equal the plan: KP_CPUS,
# KP_MEMORY_MIB, KP_DISK_MIB.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$KP_ROOT/tests/vm/lib-vm.sh"

vm_require_artifact ova OVA
test_require_cmd xmllint libxml2-utils
test_require_cmd jq jq
test_require_cmd virt-v2v virt-v2v
test_require_cmd nbdkit nbdkit
test_require_cmd nbdcopy libnbd-bin
test_require_cmd debugfs e2fsprogs
test_require_cmd sfdisk fdisk
test_require_cmd lsinitramfs initramfs-tools-core
[ -x "$KP_BIN/kopanion-ova" ] || test_skip_all "build/bin/kopanion-ova not built (run make)"
base=$(plan_value KP_ARTIFACT_BASE)
OVF=$TEST_TMP/x/$base.ovf
VMDK=$TEST_TMP/x/$base-disk1.vmdk
export OVA OVF VMDK
qemu_export_libguestfs_env

# ovf_item RESOURCE_TYPE FIELD: a rasd field of the hardware item of that
# type (3 CPU, 4 memory), read by xmllint.
ovf_item() {
	xmllint --xpath "string(//*[local-name()='Item'][*[local-name()='ResourceType']='$1']/*[local-name()='$2'])" "$OVF"
}

# ovf_disk ATTRIBUTE: an attribute of the first <Disk>.
ovf_disk() {
	xmllint --xpath "string(//*[local-name()='Disk']/@*[local-name()='$1'])" "$OVF"
}

# ovf_capacity_bytes: capacity x "byte * 2^N".
ovf_capacity_bytes() {
	local units
	units=$(ovf_disk capacityAllocationUnits)
	case $units in
	"byte * 2^"[0-9]*) echo $(($(ovf_disk capacity) << ${units#byte \* 2^})) ;;
	*) echo "capacity units '$units' are not 'byte * 2^N'" >&2; return 1 ;;
	esac
}

# expect_eq WHAT GOT WANT
expect_eq() {
	echo "$1: got '$2', want '$3'"
	[ "$2" = "$3" ]
}

# v2v_xml XPATH: from the libvirt XML virt-v2v wrote for -o local.
v2v_xml() { xmllint --xpath "$1" v2v/"$(plan_value KP_NAME)".xml; }

# vmdk_initrd OUT: the newest initrd of the VMDK's root partition (GPT name
# "root", ext4), read with debugfs from a raw copy: no mount, no appliance.
vmdk_initrd() {
	local start name
	qemu-img convert -f vmdk -O raw "$VMDK" disk.raw
	start=$(sfdisk -J disk.raw | jq -r ".partitiontable.partitions[] | select(.name == \"root\") | .start")
	name=$(debugfs -R "ls /boot" "disk.raw?offset=$((start * 512))" 2>/dev/null |
		grep -o 'initrd\.img-[^ ]*' | sort -V | tail -n 1)
	debugfs -R "dump /boot/$name $1" "disk.raw?offset=$((start * 512))" 2>/dev/null
	rm -f disk.raw
	echo "initrd: /boot/$name"
	test -s "$1"
}

# boot_vmdk DIR FIRMWARE: a qcow2 overlay on the VMDK (1 GiB larger, to see
# the root grow), booted on the devices in VM_DISK_BUS and VM_NIC.
boot_vmdk() {
	mkdir -p "$1" && vm_overlay "$VMDK" vmdk "$1/disk.qcow2" 1024 &&
		vm_boot "$1/disk.qcow2" qcow2 "$2" "$1" &&
		echo "boot took $(cat "$1/seconds")s on disk bus $VM_DISK_BUS, NIC $VM_NIC under $2"
}

test_expect_success 'kopanion-ova verify passes the OVA' '
	"$KP_BIN/kopanion-ova" verify "$OVA"
'

test_expect_success 'setup: the members extract with tar' '
	mkdir x && tar -xf "$OVA" -C x && ls -l x && test -s "$OVF" && test -s "$VMDK"
'

test_expect_success 'the OVF asks for the planned CPUs and memory (MiB)' '
	expect_eq CPUs "$(ovf_item 3 VirtualQuantity)" "$(plan_value KP_CPUS)" &&
	expect_eq "memory units" "$(ovf_item 4 AllocationUnits)" "byte * 2^20" &&
	expect_eq "memory MiB" "$(ovf_item 4 VirtualQuantity)" "$(plan_value KP_MEMORY_MIB)"
'

test_expect_success 'the OVF disk capacity is the planned disk size' '
	expect_eq "capacity bytes" "$(ovf_capacity_bytes)" "$(( $(plan_value KP_DISK_MIB) * 1024 * 1024 ))"
'

test_expect_success 'qemu-img: the VMDK is streamOptimized, its virtual size is the OVF capacity, check is clean' '
	qemu-img info --output=json "$VMDK" >info.json &&
	expect_eq format "$(jq -r .format info.json)" vmdk &&
	expect_eq create-type "$(jq -r ".[\"format-specific\"].data[\"create-type\"]" info.json)" streamOptimized &&
	expect_eq "virtual size" "$(jq -r ".[\"virtual-size\"]" info.json)" "$(ovf_capacity_bytes)" &&
	qemu-img check "$VMDK"
'

# COMPAT 8: every target's controller and NIC, QEMU's stand-ins and virtio.
test_expect_success 'the VMDK'"'"'s initramfs carries the drivers of every target'"'"'s controller and NIC' '
	vmdk_initrd initrd.img &&
	lsinitramfs initrd.img >initrd.list &&
	for mod in mptspi vmw_pvscsi ahci vmxnet3 e1000 e1000e sym53c8xx virtio_blk virtio_scsi virtio_net; do
		grep -Eq "/$mod\.ko(\.xz|\.zst|\.gz)?\$" initrd.list || { echo "no $mod in the initramfs"; exit 1; }
	done
'

test_expect_success 'virt-v2v -i ova converts it to a local qcow2' '
	mkdir v2v && start=$SECONDS &&
	timeout 1800 virt-v2v -i ova "$OVA" -o local -os v2v -of qcow2 </dev/null >v2v.log 2>&1 ||
		{ tail -n 40 v2v.log; exit 1; }
	echo "virt-v2v took $((SECONDS - start))s" && tail -n 5 v2v.log && ls -l v2v
'

test_expect_success 'virt-v2v: the libvirt XML it wrote has the planned name, vCPUs and memory' '
	expect_eq name "$(v2v_xml "string(/domain/name)")" "$(plan_value KP_NAME)" &&
	expect_eq vcpu "$(v2v_xml "string(/domain/vcpu)")" "$(plan_value KP_CPUS)" &&
	expect_eq "memory unit" "$(v2v_xml "string(/domain/memory/@unit)")" KiB &&
	expect_eq "memory KiB" "$(v2v_xml "string(/domain/memory)")" "$(( $(plan_value KP_MEMORY_MIB) * 1024 ))"
'

test_expect_success 'virt-v2v: firmware as the OVF asks (no UEFI loader for bios)' '
	fw=$(xmllint --xpath "string(//*[local-name()=\"Config\"][@*[local-name()=\"key\"]=\"firmware\"]/@*[local-name()=\"value\"])" "$OVF") &&
	loaders=$(v2v_xml "count(/domain/os/loader)") &&
	echo "OVF firmware $fw, loaders $loaders" &&
	case $fw in bios) test "$loaders" = 0 ;; efi) test "$loaders" = 1 ;; *) false ;; esac
'

test_expect_success 'virt-v2v: one qcow2 disk of the planned size, check clean' '
	expect_eq disks "$(v2v_xml "count(/domain/devices/disk[@device=\"disk\"])")" 1 &&
	expect_eq "disk driver" "$(v2v_xml "string(/domain/devices/disk/driver/@type)")" qcow2 &&
	disk=$(v2v_xml "string(/domain/devices/disk/source/@file)") &&
	qemu-img info --output=json "$disk" >v2v-info.json &&
	expect_eq format "$(jq -r .format v2v-info.json)" qcow2 &&
	expect_eq "virtual size" "$(jq -r ".[\"virtual-size\"]" v2v-info.json)" "$(( $(plan_value KP_DISK_MIB) * 1024 * 1024 ))" &&
	qemu-img check "$disk"
'

# Firmware, disk bus, NIC (each boot is minutes under TCG): PVSCSI + vmxnet3
# (vmware-8's devices), LSI + e1000 (the default target's controller family:
# QEMU has no LSI53C1030, its 53C895A takes the sym53c8xx driver), SATA +
# e1000 under UEFI (proxmox, virtualbox).
# shellcheck disable=SC2034 # bus and nic are read by the test bodies
while read -r fw bus nic; do
	test_expect_success "the VMDK boots under $fw on $bus + $nic to a PASS verdict" '
		VM_DISK_BUS=$bus VM_NIC=$nic boot_vmdk "$fw-$bus" "$fw" && vm_expect_pass "$fw-$bus" installed
	'
done <<'BOOTS'
bios pvscsi vmxnet3
bios lsi e1000
uefi ahci e1000
BOOTS

test_expect_success 'the VMDK itself stayed untouched' '
	"$KP_BIN/kopanion-ova" verify "$OVA" >/dev/null &&
	cmp "$VMDK" <(tar -xOf "$OVA" "$base-disk1.vmdk")
'

test_done
