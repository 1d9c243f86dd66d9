# shellcheck shell=bash
# Stage machinery for build.sh: the plan, the build-dir lock, stamps that
# skip a stage whose inputs did not change, per-stage logs and timings, and
# the clean-up that leaves no mounts behind when a build stops.

# load_plan: validate the description and source the plan it gives.
# Nothing else runs when the description is wrong.
load_plan() {
	local tmp profile args=()
	[ -x "$KP_BIN/kopanion-config" ] || die "the tools are not built: run 'make' first"
	for profile in "${KP_PROFILES[@]}"; do args+=(--profile "$profile"); done
	mkdir -p "$KP_ROOT/build"
	tmp=$(mktemp "$KP_ROOT/build/.plan.XXXXXX")
	if ! "$KP_BIN/kopanion-config" plan --containers-dir "$KP_ROOT/containers" "${args[@]}" -o "$tmp" "$KP_CONFIG"; then
		rm -f "$tmp"
		die "the appliance description is not valid; nothing was built"
	fi
	# shellcheck source=/dev/null
	. "$tmp"
	KP_WORK=$KP_ROOT/build/$KP_NAME
	mkdir -p "$KP_WORK/logs" "$KP_WORK/stamps"
	mv -f "$tmp" "$KP_WORK/plan"
	export KP_WORK KP_SUITE KP_MIRROR KP_NAME KP_VERSION KP_ARCH KP_ISO_COMPRESSION KP_PACKAGES \
		KP_CONTAINERS KP_CONTAINER_ARCHIVES
}

# One build per build dir at a time.
take_build_lock() {
	exec 8>"$KP_WORK/.lock"
	flock -n 8 || die "another build is running in $KP_WORK (lock $KP_WORK/.lock); wait for it or stop it"
}

# Unmount anything left below the build dir (live-build's /proc, /sys, /dev/pts
# in its chroot when it is interrupted), deepest first.
release_mounts() {
	local mnt
	[ -n "${KP_WORK:-}" ] || return 0
	awk -v w="$KP_WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r mnt; do
			# live-build's own clean-up may get there first: warn only if it stays.
			umount -l "$mnt" 2>/dev/null || umount -lf "$mnt" 2>/dev/null || true
			if still_mounted "$mnt"; then warn "could not unmount $mnt"; fi
		done
}

still_mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/self/mounts; }

on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "${KP_STAGE_PID:-}" ]; then
		kill -TERM -- "-$KP_STAGE_PID" 2>/dev/null || kill -TERM "$KP_STAGE_PID" 2>/dev/null || true
		wait "$KP_STAGE_PID" 2>/dev/null || true
	fi
	release_mounts
	exit "$rc"
}

on_signal() {
	warn "interrupted: stopping the running stage and cleaning up"
	exit 130
}

# fingerprint ITEM...: sha256 over strings and over the files below repo paths.
fingerprint() {
	local item
	for item in "$@"; do
		if [ -e "$KP_ROOT/$item" ]; then
			(cd "$KP_ROOT" && find "$item" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		else
			printf '%s\n' "$item"
		fi
	done | sha256sum | cut -c1-64
}

# What each stage is made from, one item a line (a value, or a repo path whose
# files count); a stage also depends on the stage before it.
stage_inputs() {
	case $1 in
	containers) printf '%s\n' "$KP_CONTAINERS $(containers_stage_epoch) ${KP_APT_CACHE:-}" \
		containers tools/image tools/lib lib/containers.sh
		containers_archive_inputs ;;
	rootfs) printf '%s\n' "$KP_SUITE $KP_MIRROR $KP_NAME $KP_VERSION $KP_PACKAGES $KP_ISO_COMPRESSION" \
		config/live hooks overlays lib/live.sh ;;
	sysroot) printf '%s\n' lib/sysroot.sh ;;
	disk) printf '%s\n' "$KP_DISK_MIB" tools/disk lib/artifacts.sh ;;
	qcow2) printf '%s\n' "$KP_QCOW2_COMPAT $KP_QCOW2_COMPRESS" ;;
	ova) printf '%s\n' "$KP_CPUS $KP_MEMORY_MIB $KP_OVA_PROFILE $KP_OVA_HARDWARE $KP_OVA_DIGEST $KP_OVA_FIRMWARE" \
		"$KP_OVA_DISK_CONTROLLER $KP_OVA_NIC $KP_OVA_PRODUCT $KP_OVA_VENDOR $KP_OVA_URL $KP_OVA_EULA" tools/ova ;;
	iso) printf '%s\n' "$KP_ISO_COMPRESSION" ;;
	sums | report) date +%s%N ;; # always
	esac
}

# The file a stage leaves in images/, if any: a stamp counts only while it is there.
stage_output() {
	case $1 in
	qcow2 | ova | iso) echo "$KP_IMAGES/$KP_ARTIFACT_BASE.$1" ;;
	disk) raw_disk ;;
	sysroot) echo "$(sysroot_dir)/usr/bin/docker" ;;
	rootfs) echo "$(live_dir)/chroot/usr/bin/docker" ;;
	containers) echo "$(containers_out_dir)/index" ;;
	esac
}

stage_log() { echo "$KP_WORK/logs/$KP_STAGE.log"; }

# run_stage NAME UPSTREAM: run stage_NAME unless its stamp matches its inputs.
run_stage() {
	local name=$1 upstream=$2 fp out t0 rc=0 log inputs
	mapfile -t inputs < <(stage_inputs "$name")
	fp=$(fingerprint "$(cat "$KP_WORK/stamps/$upstream" 2>/dev/null)" "${inputs[@]}")
	out=$(stage_output "$name")
	KP_STAGE_NUM=$((KP_STAGE_NUM + 1))
	if ! $KP_FORCE && [ "$(cat "$KP_WORK/stamps/$name" 2>/dev/null)" = "$fp" ] && { [ -z "$out" ] || [ -e "$out" ]; }; then
		log "[$KP_STAGE_NUM/$KP_STAGE_COUNT] $name: up to date"
		echo "$name cached" >>"$KP_WORK/timings"
		return 0
	fi
	rm -f "$KP_WORK/stamps/$name"
	KP_STAGE=$name
	log="$KP_WORK/logs/$name.log"
	: >"$log"
	log "[$KP_STAGE_NUM/$KP_STAGE_COUNT] $name ... (log: ${log#"$KP_ROOT"/})"
	t0=$(now)
	# Own process group, so that an interrupt can stop everything the stage started.
	set -m
	("stage_$name") >>"$log" 2>&1 </dev/null &
	KP_STAGE_PID=$!
	set +m
	wait "$KP_STAGE_PID" || rc=$?
	KP_STAGE_PID=
	release_mounts
	if [ "$rc" -ne 0 ]; then
		show_log_tail "$log"
		die "stage '$name' failed (exit $rc) after $(elapsed "$t0") s; fix the cause above and run the build again: finished stages are kept"
	fi
	echo "$name $(elapsed "$t0")" >>"$KP_WORK/timings"
	echo "$fp" >"$KP_WORK/stamps/$name"
	log "[$KP_STAGE_NUM/$KP_STAGE_COUNT] $name: done in $(elapsed "$t0") s"
}

wants_artifact() { [[ " $KP_ARTIFACTS " == *" $1 "* ]]; }

require_root() {
	[ "$(id -u)" -eq 0 ] || die "building an appliance needs root (live-build runs chroots): run as root"
}

cmd_build() {
	require_root
	load_plan
	build_plan
}

# build_plan: run the stages of the loaded plan (load_plan first).
build_plan() {
	local stages=() prev=plan s
	check_host_commands
	[[ "$KP_WORK" != *[[:space:]]* ]] || die "the build path '$KP_WORK' contains white space; live-build cannot work there"
	take_build_lock
	trap on_exit EXIT
	trap on_signal INT TERM
	mkdir -p "$KP_IMAGES" "$KP_CACHE"
	# Whether the epoch was given: the container images default to their own (lib/containers.sh).
	KP_EPOCH_GIVEN=false
	[ -z "${SOURCE_DATE_EPOCH:-}" ] || KP_EPOCH_GIVEN=true
	export KP_EPOCH_GIVEN
	export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$KP_ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
	: >"$KP_WORK/timings"
	fingerprint "$(cat "$KP_WORK/plan")" >"$KP_WORK/stamps/plan"

	stages+=(containers rootfs)
	if wants_artifact qcow2 || wants_artifact ova; then stages+=(sysroot disk); fi
	wants_artifact qcow2 && stages+=(qcow2)
	wants_artifact ova && stages+=(ova)
	wants_artifact iso && stages+=(iso)
	stages+=(sums report)
	KP_STAGE_COUNT=${#stages[@]}
	KP_STAGE_NUM=0
	log "building $KP_ARTIFACT_BASE ($KP_ARTIFACTS) in ${KP_WORK#"$KP_ROOT"/}, qemu accel: $(qemu_accel)"
	for s in "${stages[@]}"; do
		case $s in
		qcow2 | ova) run_stage "$s" disk ;;
		iso) run_stage "$s" rootfs ;;
		*) run_stage "$s" "$prev" ;;
		esac
		prev=$s
	done
	log "done: artifacts in ${KP_IMAGES#"$KP_ROOT"/}/, report in ${KP_WORK#"$KP_ROOT"/}/report.txt"
}

cmd_clean() {
	take_build_lock
	release_mounts
	rm -rf "$KP_WORK"
	log "removed $KP_WORK (the package cache in $KP_CACHE is kept)"
}
