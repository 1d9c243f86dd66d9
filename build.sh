#!/usr/bin/env bash
# Kopanion appliance builder: the one entry point.
#
#   ./build.sh deps                                   install the host packages (root)
#   ./build.sh build [--config FILE] [--profile FILE]... [--force]
#   ./build.sh plan  [--config FILE] [--profile FILE]...   print the build plan
#   ./build.sh bench [--config FILE] [--profile FILE]...   rebuild and measure beside references
#   ./build.sh clean [--config FILE] [--profile FILE]...   remove the build dir (keeps the cache)
#
# A build runs these stages in order, each logged to build/<name>/logs/<stage>.log:
#   plan -> containers -> rootfs -> disk -> qcow2 -> ova -> iso -> sums -> report
# A stage whose inputs are unchanged since its last success is skipped.
# Environment: KP_CACHE (package cache, default /var/cache/kopanion),
# KP_QEMU_ACCEL (kvm|tcg, default: probed), SOURCE_DATE_EPOCH (default: last commit).
set -euo pipefail

KP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP_BIN=$KP_ROOT/build/bin
KP_CACHE=${KP_CACHE:-/var/cache/kopanion}
KP_IMAGES=${KP_IMAGES:-$KP_ROOT/images}
export KP_ROOT KP_BIN KP_CACHE KP_IMAGES

for lib in log deps qemu containers live sysroot artifacts report stages bench; do
	# shellcheck source=/dev/null
	. "$KP_ROOT/lib/$lib.sh"
done

# usage [STATUS]: the header above; on stderr unless asked for with --help.
usage() {
	local status=${1:-2}
	if [ "$status" -eq 0 ]; then
		print_usage
	else
		print_usage >&2
	fi
	exit "$status"
}

print_usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

# Sets KP_CONFIG, KP_PROFILES and KP_FORCE for lib/stages.sh.
# shellcheck disable=SC2034
parse_options() {
	KP_CONFIG=$KP_ROOT/config/kopanion.yaml
	KP_PROFILES=()
	KP_FORCE=false
	while [ $# -gt 0 ]; do
		case $1 in
		--config) KP_CONFIG=${2:?--config needs a file}; shift ;;
		--profile) KP_PROFILES+=("${2:?--profile needs a file}"); shift ;;
		--force) KP_FORCE=true ;;
		-h | --help) usage 0 ;;
		*) echo "build.sh: unknown option '$1'" >&2; usage 2 ;;
		esac
		shift
	done
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	deps) cmd_deps ;;
	build) parse_options "$@"; cmd_build ;;
	plan) parse_options "$@"; load_plan; cat "$KP_WORK/plan" ;;
	clean) parse_options "$@"; load_plan; cmd_clean ;;
	bench) parse_options "$@"; cmd_bench ;;
	-h | --help) usage 0 ;;
	*) usage 2 ;;
	esac
}

main "$@"; exit $?  # one line: an edit to this file during a build cannot reach a running bash
