# shellcheck shell=bash
# The live-build stages: rootfs (bootstrap + chroot) and iso (binary).
#
# build/<name>/live/ is a live-build config tree assembled from this repo:
#   config/live/          auto/config and package lists
#   hooks/*.hook.chroot   -> config/hooks/normal/
#   overlays/             -> config/includes.chroot/
#   the containers stage's images and index -> config/includes.chroot/usr/share/kopanion/images/
# Its cache/ is a link into $KP_CACHE so that rebuilds do not download again.

live_dir() { echo "$KP_WORK/live"; }

# The cache is shared by every build of a suite: hold its lock while lb runs.
with_live_cache_lock() {
	local lock="$KP_CACHE/live-build-$KP_SUITE.lock"
	(
		flock -w 3600 9 || die "waited an hour for the package cache lock $lock"
		"$@"
	) 9>"$lock"
}

# The boot menus of live-build show only on the graphical console and wait
# forever; the appliance's ISO also talks on the first serial port and boots
# the default entry after 5 seconds.
live_patch_bootloaders() {
	local dst=$1/config/bootloaders src=/usr/share/live/build/bootloaders
	mkdir -p "$dst"
	cp -a "$src/isolinux" "$src/syslinux_common" "$src/grub-pc" "$dst/"
	sed -i -e '1i serial 0 115200' -e 's/^timeout 0$/timeout 50/' "$dst/isolinux/isolinux.cfg"
	grep -q '^timeout 50$' "$dst/isolinux/isolinux.cfg" || echo 'timeout 50' >>"$dst/isolinux/isolinux.cfg"
	sed -i -e 's/^terminal_output gfxterm$/serial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output gfxterm serial/' \
		"$dst/grub-pc/grub.cfg"
	printf 'set timeout=5\n' >>"$dst/grub-pc/config.cfg"
}

live_assemble_config() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir/config/hooks/normal" "$dir/config/includes.chroot" "$KP_CACHE/live-build-$KP_SUITE"
	cp -a "$KP_ROOT/config/live/auto" "$dir/"
	ln -s "$KP_CACHE/live-build-$KP_SUITE" "$dir/cache"
	(cd "$dir" && lb config) || die "lb config failed (its output is above)"
	cp -a "$KP_ROOT/config/live/package-lists/." "$dir/config/package-lists/"
	if [ -n "$KP_PACKAGES" ]; then
		# shellcheck disable=SC2086 # a space-separated list of package names
		printf '%s\n' $KP_PACKAGES >"$dir/config/package-lists/plan.list.chroot"
	fi
	cp -a "$KP_ROOT"/hooks/*.hook.chroot "$dir/config/hooks/normal/"
	cp -a "$KP_ROOT/overlays/." "$dir/config/includes.chroot/"
	live_write_release_file "$dir/config/includes.chroot"
	live_add_images "$dir/config/includes.chroot"
	live_patch_bootloaders "$dir"
}

# live_add_images INCLUDES: the preloaded images and their index, which
# kopanion-images.service loads into Docker on first boot (COMPAT 16).
live_add_images() {
	local src dst=$1/usr/share/kopanion/images file
	src=$(containers_out_dir)
	[ -f "$src/index" ] || die "no image index $src/index: the containers stage has not run"
	mkdir -p "$dst"
	cp "$src/index" "$dst/index"
	for file in $(containers_indexed_files "$src"); do
		cp --reflink=auto "$src/$file" "$dst/$file"
	done
}

# /etc/kopanion-release: what this image is, for admins and support.
live_write_release_file() {
	mkdir -p "$1/etc"
	cat >"$1/etc/kopanion-release" <<-RELEASE
		NAME=$KP_NAME
		VERSION=$KP_VERSION
		ARCH=$KP_ARCH
		DEBIAN_SUITE=$KP_SUITE
		BUILD_EPOCH=$SOURCE_DATE_EPOCH
	RELEASE
}

lb_run() { (cd "$(live_dir)" && lb "$@"); }

stage_rootfs() {
	local dir
	dir=$(live_dir)
	# A changed description or tree means a fresh chroot (the bootstrap stays cached).
	live_assemble_config "$dir"
	with_live_cache_lock lb_run bootstrap
	with_live_cache_lock lb_run chroot
	[ -x "$dir/chroot/usr/sbin/dockerd" ] || [ -x "$dir/chroot/usr/bin/dockerd" ] ||
		die "the chroot has no dockerd: the package install went wrong (see above)"
}

stage_iso() {
	local dir iso
	dir=$(live_dir)
	# Forget an earlier binary stage, so that lb does not skip this one.
	lb_run clean --binary
	with_live_cache_lock lb_run binary
	iso="$dir/$KP_NAME-amd64.hybrid.iso"
	[ -s "$iso" ] || die "live-build made no ISO ($iso)"
	publish_artifact "$iso" iso
}
