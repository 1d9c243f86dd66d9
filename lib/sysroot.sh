# shellcheck shell=bash
# The sysroot stage: the installed system's root tree, made from live-build's
# chroot by removing what only a live session needs (live-boot, live-config)
# and rebuilding the initramfs without it.
#
# This runs on the host at native speed: inside the libguestfs appliance,
# under TCG, the same initramfs rebuild takes minutes. The chroot gets its
# /proc in a private mount namespace (unshare), so nothing is ever mounted
# on the host, and nothing can be left behind by an interrupt.

# Packages that make the chroot a live system; an installed disk has none.
KP_LIVE_PACKAGES="live-boot live-boot-initramfs-tools live-config live-config-systemd live-tools"

sysroot_dir() { echo "$KP_WORK/sysroot"; }

# in_sysroot CMD...: run CMD chrooted in the sysroot, with /proc in a private namespace.
in_sysroot() {
	local root
	root=$(sysroot_dir)
	unshare --mount --pid --fork --mount-proc="$root/proc" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive \
		chroot "$root" "$@"
}

installed_live_packages() {
	local pkg
	for pkg in $KP_LIVE_PACKAGES; do
		dpkg-query --admindir="$(sysroot_dir)/var/lib/dpkg" -W -f='${db:Status-Status} ${Package}\n' "$pkg" 2>/dev/null |
			awk '$1 == "installed" { print $2 }'
	done
}

initramfs_has_live_boot() {
	local img
	for img in "$(sysroot_dir)"/boot/initrd.img-*; do
		# grep without -q reads to the end: no SIGPIPE for lsinitramfs under pipefail
		lsinitramfs "$img" | grep '^scripts/live' >/dev/null && return 0
	done
	return 1
}

stage_sysroot() {
	local root pkgs
	root=$(sysroot_dir)
	rm -rf "$root"
	cp -a --reflink=auto "$(live_dir)/chroot" "$root"
	pkgs=$(installed_live_packages | paste -sd' ' -)
	if [ -n "$pkgs" ]; then
		echo "purging: $pkgs"
		# shellcheck disable=SC2086 # a list of package names
		in_sysroot dpkg --purge $pkgs
	fi
	# The purge's dpkg trigger rebuilds the newest kernel's initramfs; rebuild
	# all of them only if one still holds live-boot (say, a second kernel).
	if initramfs_has_live_boot; then
		in_sysroot update-initramfs -u -k all
		! initramfs_has_live_boot || die "the sysroot's initramfs still holds live-boot"
	fi
	[ -z "$(installed_live_packages)" ] || die "live packages are still installed in the sysroot"
	rm -rf "${root:?}"/var/cache/apt/archives/*.deb "${root:?}"/tmp/*
}
