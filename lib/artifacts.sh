# shellcheck shell=bash
# The installed-system artifacts: disk (raw, via kopanion-disk on libguestfs),
# qcow2 and ova (via qemu-img and kopanion-ova), checksums.

raw_disk() { echo "$KP_WORK/disk.raw"; }

# publish_artifact FILE EXT: give FILE its final name in images/, atomically.
publish_artifact() {
	local src=$1 ext=$2 dst="$KP_IMAGES/$KP_ARTIFACT_BASE.$2" tmp
	tmp=$(mktemp "$KP_IMAGES/.$KP_ARTIFACT_BASE.$ext.XXXXXX")
	mv -f "$src" "$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$dst"
	echo "published $dst ($(stat -c %s "$dst") bytes)"
}

stage_disk() {
	qemu_export_libguestfs_env
	"$KP_BIN/kopanion-disk" build \
		--root "$(sysroot_dir)" \
		--output "$(raw_disk)" \
		--size-mib "$KP_DISK_MIB" \
		--hostname "$KP_NAME" \
		--accel "$(qemu_accel)"
	"$KP_BIN/kopanion-disk" inspect "$(raw_disk)" >"$KP_WORK/disk.inspect"
	cat "$KP_WORK/disk.inspect"
}

stage_qcow2() {
	local tmp="$KP_WORK/disk.qcow2" opts=()
	[ "$KP_QCOW2_COMPRESS" = true ] && opts+=(-c)
	rm -f "$tmp"
	qemu-img convert -f raw -O qcow2 -o "compat=$KP_QCOW2_COMPAT" "${opts[@]}" "$(raw_disk)" "$tmp"
	qemu-img check "$tmp"
	publish_artifact "$tmp" qcow2
}

# ova_target_args: --target and each target key the plan sets, one word a
# line; a key the plan leaves unset ('') is decided by the target profile.
ova_target_args() {
	local flag var
	printf '%s\n' --target "$KP_OVA_PROFILE"
	while read -r flag var; do
		if [ -n "${!var}" ]; then
			printf '%s\n' "$flag" "${!var}"
		fi
	done <<-'FLAGS'
	--hardware KP_OVA_HARDWARE
	--digest KP_OVA_DIGEST
	--firmware KP_OVA_FIRMWARE
	--disk-controller KP_OVA_DISK_CONTROLLER
	--nic KP_OVA_NIC
	FLAGS
}

# vmdk_adapter_type CONTROLLER: the VMDK's ddb.adapterType hint for the
# controller the OVF declares (the profile's, or the plan's override).
vmdk_adapter_type() {
	case $1 in
	sata) echo ide ;;
	*) echo lsilogic ;;
	esac
}

# stage_ova: the VMDK for the target's controller, the OVA around it, verified
# before it gets its final name in images/.
stage_ova() {
	local vmdk="$KP_WORK/$KP_ARTIFACT_BASE-disk1.vmdk" ova="$KP_WORK/$KP_ARTIFACT_BASE.ova"
	local eula=() target controller
	[ -n "$KP_OVA_EULA" ] && eula=(--eula "$KP_OVA_EULA")
	mapfile -t target < <(ova_target_args)
	"$KP_BIN/kopanion-ova" target "${target[@]}" >"$KP_WORK/ova.target"
	cat "$KP_WORK/ova.target"
	controller=$(sed -n 's/^disk_controller=//p' "$KP_WORK/ova.target")
	rm -f "$vmdk"
	qemu-img convert -f raw -O vmdk -o "subformat=streamOptimized,adapter_type=$(vmdk_adapter_type "$controller")" "$(raw_disk)" "$vmdk"
	"$KP_BIN/kopanion-ova" create -o "$ova" \
		--name "$KP_NAME" --version "$KP_VERSION" \
		--cpus "$KP_CPUS" --memory-mib "$KP_MEMORY_MIB" \
		"${target[@]}" \
		--product "$KP_OVA_PRODUCT" --vendor "$KP_OVA_VENDOR" --product-version "$KP_VERSION" \
		--url "$KP_OVA_URL" "${eula[@]}" \
		--disk "$vmdk"
	rm -f "$vmdk"
	"$KP_BIN/kopanion-ova" verify "$ova"
	publish_artifact "$ova" ova
}

# SHA256SUMS covers every artifact in images/, written under a temporary name first.
stage_sums() {
	local tmp
	tmp=$(mktemp "$KP_IMAGES/.SHA256SUMS.XXXXXX")
	(cd "$KP_IMAGES" && find . -maxdepth 1 -type f \( -name '*.iso' -o -name '*.qcow2' -o -name '*.ova' \) \
		! -name '.*' -printf '%f\n' | LC_ALL=C sort | xargs -r sha256sum) >"$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$KP_IMAGES/SHA256SUMS"
	cat "$KP_IMAGES/SHA256SUMS"
}
