# shellcheck shell=bash
# QEMU acceleration: KVM where it really works, TCG otherwise.
#
# /dev/kvm being present is not enough (on some CI hosts KVM hangs once the
# guest kernel runs), so the probe boots the host's own kernel with KVM and
# no root filesystem: a working KVM reaches the "VFS: Unable to mount root"
# panic in a few seconds. The answer is cached for the life of this boot.
# KP_QEMU_ACCEL=kvm|tcg overrides the probe.

qemu_probe_kvm() {
	local kernel out
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	kernel=$(find /boot -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
	[ -n "$kernel" ] || return 1
	out=$(timeout 20 qemu-system-x86_64 -accel kvm -m 256 -nographic -no-reboot \
		-kernel "$kernel" -append 'console=ttyS0 panic=-1 root=/dev/null' \
		-serial stdio -monitor none -display none 2>/dev/null | tr -d '\r')
	grep -q 'Kernel panic\|VFS: Unable to mount root' <<<"$out"
}

qemu_accel() {
	local cache
	if [ -n "${KP_QEMU_ACCEL:-}" ]; then
		echo "$KP_QEMU_ACCEL"
		return
	fi
	cache=/run/kopanion-qemu-accel.$(cat /proc/sys/kernel/random/boot_id)
	if [ ! -s "$cache" ]; then
		if qemu_probe_kvm; then echo kvm; else echo tcg; fi >"$cache.tmp" 2>/dev/null && mv "$cache.tmp" "$cache"
	fi
	cat "$cache"
}

# libguestfs runs its own QEMU: tell it to use TCG when KVM does not work.
qemu_export_libguestfs_env() {
	export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
	if [ "$(qemu_accel)" = tcg ]; then
		export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
	fi
}
