# shellcheck shell=bash
# The build report: what was built, from what, how big, and how long each
# stage took. Written to build/<name>/report.txt and images/<base>.report.txt.

report_timings() {
	[ -f "$KP_WORK/timings" ] || return 0
	printf 'stage timings (seconds, this run; "cached" = skipped, inputs unchanged):\n'
	awk '{ printf "  %-10s %8s\n", $1, $2 }' "$KP_WORK/timings"
}

report_artifacts() {
	local ext f
	printf 'artifacts:\n'
	for ext in $KP_ARTIFACTS; do
		f="$KP_IMAGES/$KP_ARTIFACT_BASE.$ext"
		[ -f "$f" ] && printf '  %-40s %14s bytes\n' "${f##*/}" "$(stat -c %s "$f")"
	done
	if [ -f "$(raw_disk)" ]; then
		printf '  %-40s %14s bytes virtual, %s bytes allocated\n' "disk (raw)" \
			"$(stat -c %s "$(raw_disk)")" "$(($(stat -c %b "$(raw_disk)") * 512))"
	fi
}

report_images() {
	local dir file
	dir=$(containers_out_dir)
	[ -f "$dir/index" ] || return 0
	printf 'preloaded images (/usr/share/kopanion/images, load order):\n'
	for file in $(containers_indexed_files "$dir"); do
		printf '  %s: %s\n' "$file" "$(containers_describe "$dir/$file" | sed '2,$s/^/  /')"
	done
}

# dpkg-query formats are ${...} in single quotes on purpose.
# shellcheck disable=SC2016
report_system() {
	local chroot
	chroot="$(live_dir)/chroot"
	[ -d "$chroot/var/lib/dpkg" ] || return 0
	printf 'system:\n'
	printf '  debian packages: %s\n' "$(chroot_dpkg_query "$chroot" -W -f='${db:Status-Abbrev}\n' | grep -c '^ii')"
	printf '  kernel:          %s\n' "$(chroot_dpkg_query "$chroot" -W -f='${Version}' 'linux-image-amd64')"
	printf '  docker.io:       %s\n' "$(chroot_dpkg_query "$chroot" -W -f='${Version}' docker.io)"
	printf '  root tree:       %s MiB\n' "$(du -sm --exclude=proc --exclude=sys "$chroot" | cut -f1)"
}

chroot_dpkg_query() {
	local root=$1
	shift
	dpkg-query --admindir="$root/var/lib/dpkg" "$@" 2>/dev/null
}

stage_report() {
	local out="$KP_WORK/report.txt"
	{
		printf 'Kopanion build report: %s\n' "$KP_ARTIFACT_BASE"
		printf 'config: %s\n' "$KP_CONFIG_FILES"
		printf 'vm: %s vCPU, %s MiB RAM, disk %s MiB (%s GiB system + 2 x %s GiB data)\n' \
			"$KP_CPUS" "$KP_MEMORY_MIB" "$KP_DISK_MIB" "$KP_SYSTEM_GIB" "$KP_PLANNED_DATA_GIB"
		report_timings
		report_artifacts
		report_images
		report_system
	} >"$out"
	cp "$out" "$KP_IMAGES/.$KP_ARTIFACT_BASE.report.txt.tmp"
	mv -f "$KP_IMAGES/.$KP_ARTIFACT_BASE.report.txt.tmp" "$KP_IMAGES/$KP_ARTIFACT_BASE.report.txt"
	cat "$out"
}
