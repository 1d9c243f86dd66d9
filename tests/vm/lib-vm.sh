# shellcheck shell=bash
# Booting the appliance's artifacts under QEMU for the VM tests.
#
# Every boot runs on a copy-on-write overlay, so the artifact keeps its
# first-boot state, and asks the appliance for its self-test through a
# systemd credential in SMBIOS (no kernel parameter or image change needed).
# The guest prints one verdict line on the serial console and powers off.
#
# The guest has no network beyond QEMU's user-mode DHCP (restrict=on: nothing
# it sends leaves the host), so everything it runs comes from the image. The
# host reaches in through forwarded ports (SSH 22, SMTP 25), polled while the
# guest runs; the credential kopanion.selftest.hold keeps the guest up after
# its verdict until the host's SMTP session was seen (or VM_HOLD seconds).

. "$KP_ROOT/lib/log.sh"
. "$KP_ROOT/lib/qemu.sh"

VM_TIMEOUT=${KP_VM_TIMEOUT:-900}
VM_HOLD=${KP_VM_HOLD:-90}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

# The appliance under test: the tiny profile that 'make check' builds, or
# KP_TEST_PROFILE (a profile file; empty: the default appliance of
# 'make image'), e.g. KP_TEST_PROFILE= prove --exec '' tests/vm/t9100-ova.sh
KP_TEST_PROFILE=${KP_TEST_PROFILE-$KP_ROOT/config/profiles/tiny.yaml}

# plan_value KEY: a value from the build plan of the appliance under test.
plan_value() {
	"$KP_ROOT/build.sh" plan ${KP_TEST_PROFILE:+--profile "$KP_TEST_PROFILE"} 2>/dev/null |
		sed -n "s/^$1='\\(.*\\)'\$/\\1/p"
}

# vm_require_artifact EXT VAR: set VAR to the path of the appliance's
# artifact, or skip the test file (with the reason) when QEMU, OVMF or the
# artifact is missing. Not in $(...): a skip must end the test file itself.
vm_require_artifact() {
	local base path
	test_require_cmd qemu-system-x86_64 qemu-system-x86
	test_require_cmd qemu-img qemu-utils
	[ -f "$OVMF_CODE" ] || test_skip_all "OVMF not installed (Debian package ovmf)"
	base=$(plan_value KP_ARTIFACT_BASE)
	path=$KP_ROOT/images/$base.$1
	if [ -z "$base" ] || [ ! -f "$path" ]; then
		test_skip_all "no .$1 ($path): 'make check' builds the tiny one first, 'make image' the default"
	fi
	printf -v "$2" '%s' "$path"
	export "${2?}"
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

# smtp_dialogue HOST PORT: the server's banner, then EHLO test and its
# answer, as the raw lines; fails unless both came. The banner may take a
# while: the guest has no DNS, and Postfix looks up the client's name first.
smtp_dialogue() (
	local line
	exec 3<>"/dev/tcp/$1/$2" || exit 1
	IFS= read -r -t 45 line <&3 || exit 1
	printf '%s\n' "${line%$'\r'}"
	[[ $line == 220* ]] || exit 1
	printf 'EHLO test\r\n' >&3
	while IFS= read -r -t 10 line <&3; do
		printf '%s\n' "${line%$'\r'}"
		[[ $line == 250-* ]] || break
	done
	printf 'QUIT\r\n' >&3
	[[ $line == 250\ * ]]
)

# vm_poll FILE CMD...: until FILE holds a successful answer, run CMD into it.
vm_poll() {
	local file=$1
	shift
	[ -s "$file" ] && return 0
	"$@" >"$file.try" 2>/dev/null && mv -f "$file.try" "$file"
	rm -f "$file.try"
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

# vm_nic_args NIC SSH_PORT SMTP_PORT: user networking (DHCP, no way out) with
# the host's SSH_PORT and SMTP_PORT forwarded to the guest's ports 22 and 25.
vm_nic_args() {
	local model
	case $1 in
	virtio) model=virtio-net-pci ;;
	vmxnet3 | e1000) model=$1 ;;
	*) echo "vm_nic_args: unknown NIC '$1' (virtio, vmxnet3, e1000)" >&2; return 1 ;;
	esac
	printf '%s\n' -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$2-:22,hostfwd=tcp:127.0.0.1:$3-:25" \
		-device "$model,netdev=n0"
}

# vm_boot DISK FORMAT FIRMWARE DIR [QEMU ARGS...]: boot until the guest powers
# off or VM_TIMEOUT passes, on the devices VM_DISK_BUS and VM_NIC (an empty
# DISK attaches none: pass -cdrom etc. in ARGS). Leaves DIR/serial.log, DIR/rc,
# DIR/seconds (how long it ran) and what the host saw through the forwarded
# ports while the guest ran: DIR/ssh-keyscan (host keys) and DIR/smtp (the
# SMTP banner and EHLO answer).
vm_boot() {
	local disk=$1 format=$2 firmware=$3 dir=$4 ssh_port smtp_port qpid rc=0 start devices
	shift 4
	ssh_port=$(free_port)
	smtp_port=$(free_port)
	devices=$( (if [ -n "$disk" ]; then vm_disk_args "$VM_DISK_BUS" "$disk" "$format"; fi) &&
		vm_nic_args "$VM_NIC" "$ssh_port" "$smtp_port") || return 1
	mapfile -t devices <<<"$devices"
	start=$SECONDS
	# shellcheck disable=SC2046 # firmware options are words
	timeout --foreground "$VM_TIMEOUT" qemu-system-x86_64 -accel "$(qemu_accel)" -m 2048 -smp 2 \
		$(vm_firmware_args "$firmware" "$dir") \
		-nographic -monitor none -serial "file:$dir/serial.log" -no-reboot \
		"${devices[@]}" \
		-smbios type=11,value=io.systemd.credential:kopanion.selftest=1 \
		-smbios "type=11,value=io.systemd.credential:kopanion.selftest.hold=$VM_HOLD" \
		"$@" </dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	: >"$dir/ssh-keyscan"
	: >"$dir/smtp"
	while kill -0 "$qpid" 2>/dev/null; do
		vm_poll "$dir/ssh-keyscan" ssh-keyscan -T 3 -t ed25519 -p "$ssh_port" 127.0.0.1
		vm_poll "$dir/smtp" smtp_dialogue 127.0.0.1 "$smtp_port"
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
