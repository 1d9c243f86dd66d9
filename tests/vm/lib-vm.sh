# shellcheck shell=bash
# Booting the appliance's artifacts under QEMU for the VM tests.
#
# Every boot runs on a copy-on-write overlay, so the artifact keeps its
# first-boot state, and asks the appliance for its self-test through a
# systemd credential in SMBIOS (no kernel parameter or image change needed).
# The guest prints one verdict line on the serial console and powers off.

. "$KP_ROOT/lib/log.sh"
. "$KP_ROOT/lib/qemu.sh"

VM_TIMEOUT=${KP_VM_TIMEOUT:-900}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

# plan_value KEY: a value from the tiny profile's build plan.
plan_value() {
	"$KP_ROOT/build.sh" plan --profile "$KP_ROOT/config/profiles/tiny.yaml" 2>/dev/null |
		sed -n "s/^$1='\\(.*\\)'\$/\\1/p"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# vm_firmware_args bios|uefi DIR: machine and firmware options; UEFI starts
# with empty NVRAM, as an imported VM does (boots via EFI/BOOT/BOOTX64.EFI).
vm_firmware_args() {
	case $1 in
	bios) echo "-machine pc" ;;
	uefi)
		cp "$OVMF_VARS" "$2/vars.fd"
		echo "-machine q35 -drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE -drive if=pflash,format=raw,unit=1,file=$2/vars.fd"
		;;
	esac
}

# vm_overlay IMAGE FORMAT OUT [GROW_MIB]: a qcow2 overlay OUT backed by IMAGE,
# GROW_MIB (default 0) larger than it, so a boot leaves the image untouched.
vm_overlay() {
	local size
	size=$(qemu-img info --output=json -f "$2" "$1" | jq '.["virtual-size"]')
	qemu-img create -q -f qcow2 -F "$2" -b "$1" "$3" $((size + ${4:-0} * 1024 * 1024))
}

# The devices a boot gives the guest. VM_DISK_BUS: virtio (default), lsi
# (LSI 53C895A SCSI), pvscsi (VMware PVSCSI), ahci (SATA). VM_NIC: virtio
# (default), vmxnet3, e1000. Set them for one call: VM_NIC=e1000 vm_boot ...
VM_DISK_BUS=${VM_DISK_BUS:-virtio}
VM_NIC=${VM_NIC:-virtio}

# vm_disk_args BUS DISK FORMAT: the QEMU options, one a line.
vm_disk_args() {
	local drive="file=$2,format=$3"
	case $1 in
	virtio) printf '%s\n' -drive "$drive,if=virtio" ;;
	lsi | pvscsi) printf '%s\n' -device "${1/lsi/lsi53c895a},id=hba" -drive "$drive,if=none,id=d0" -device scsi-hd,drive=d0,bus=hba.0 ;;
	ahci) printf '%s\n' -device ahci,id=hba -drive "$drive,if=none,id=d0" -device ide-hd,drive=d0,bus=hba.0 ;;
	*) echo "vm_disk_args: unknown disk bus '$1' (virtio, lsi, pvscsi, ahci)" >&2; return 1 ;;
	esac
}

# vm_nic_args NIC PORT: user networking (DHCP) with host PORT forwarded to the guest's sshd.
vm_nic_args() {
	local model
	case $1 in
	virtio) model=virtio-net-pci ;;
	vmxnet3 | e1000) model=$1 ;;
	*) echo "vm_nic_args: unknown NIC '$1' (virtio, vmxnet3, e1000)" >&2; return 1 ;;
	esac
	printf '%s\n' -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$2-:22" -device "$model,netdev=n0"
}

# vm_boot DISK FORMAT FIRMWARE DIR [QEMU ARGS...]: boot until the guest powers
# off or VM_TIMEOUT passes, on the devices VM_DISK_BUS and VM_NIC. Leaves
# DIR/serial.log, DIR/ssh-keyscan (host keys seen through the forwarded SSH
# port while it ran), DIR/rc and DIR/seconds (how long it ran).
vm_boot() {
	local disk=$1 format=$2 firmware=$3 dir=$4 port qpid rc=0 start devices
	shift 4
	port=$(free_port)
	devices=$(vm_disk_args "$VM_DISK_BUS" "$disk" "$format" && vm_nic_args "$VM_NIC" "$port") || return 1
	mapfile -t devices <<<"$devices"
	start=$SECONDS
	# shellcheck disable=SC2046 # firmware options are words
	timeout --foreground "$VM_TIMEOUT" qemu-system-x86_64 -accel "$(qemu_accel)" -m 2048 -smp 2 \
		$(vm_firmware_args "$firmware" "$dir") \
		-nographic -monitor none -serial "file:$dir/serial.log" -no-reboot \
		"${devices[@]}" \
		-smbios type=11,value=io.systemd.credential:kopanion.selftest=1 \
		"$@" </dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	: >"$dir/ssh-keyscan"
	while kill -0 "$qpid" 2>/dev/null; do
		[ -s "$dir/ssh-keyscan" ] || ssh-keyscan -T 3 -t ed25519 -p "$port" 127.0.0.1 >"$dir/ssh-keyscan" 2>/dev/null || true
		sleep 5
	done
	wait "$qpid" || rc=$?
	echo "$rc" >"$dir/rc"
	echo $((SECONDS - start)) >"$dir/seconds"
	tr -d '\r' <"$dir/serial.log" >"$dir/serial.txt"
}

# vm_verdict DIR: the guest's verdict line, or a description of why there is none.
vm_verdict() {
	local line
	line=$(grep -a -o 'KOPANION-SELFTEST: [A-Z].*' "$1/serial.txt" | tail -n 1)
	if [ -n "$line" ]; then
		echo "$line"
	elif [ "$(cat "$1/rc")" = 124 ]; then
		echo "NO VERDICT: the guest did not finish within ${VM_TIMEOUT}s"
	else
		echo "NO VERDICT: qemu exited $(cat "$1/rc") without one"
	fi
}

# vm_expect_pass DIR MODE: the verdict is a PASS for MODE, else show the console's end.
vm_expect_pass() {
	local verdict
	verdict=$(vm_verdict "$1")
	echo "verdict: $verdict"
	case $verdict in
	"KOPANION-SELFTEST: PASS mode=$2 checks="*) return 0 ;;
	esac
	echo "---- end of the serial console ----"
	tail -n 60 "$1/serial.txt"
	cat "$1/qemu.log"
	return 1
}
