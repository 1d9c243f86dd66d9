# shellcheck shell=bash
# Host packages: `build.sh deps` installs what config/host-packages.txt lists,
# and stays quiet when everything is there already.

host_packages() {
	sed -e 's/#.*//' "$KP_ROOT/config/host-packages.txt" | awk 'NF { print $1 }'
}

# host_commands: "command package" pairs, for require_cmd.
host_commands() {
	sed -e 's/#.*//' "$KP_ROOT/config/host-packages.txt" | awk 'NF && $2 != "-" { print $2, $1 }'
}

missing_host_packages() {
	local pkg
	for pkg in $(host_packages); do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$pkg"
	done
}

cmd_deps() {
	local missing
	missing=$(missing_host_packages)
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing host packages: $(echo "$missing" | tr '\n' ' ')- run 'make deps' as root"
	log "installing host packages: $(echo "$missing" | tr '\n' ' ')"
	# A third-party source that cannot be reached must not stop the install
	# from Debian's archive; apt-get install below fails if a package is missing.
	apt-get update -qq >/dev/null 2>&1 || warn "apt-get update reported errors (unreachable sources?); trying the install anyway"
	# shellcheck disable=SC2086
	# With recommends, as tested: supermin recommends the kernel libguestfs boots, and
	# live-build the tools (cpio, xz-utils, rsync) its stages call.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		die "apt-get install failed for: $(echo "$missing" | tr '\n' ' ')"
	missing=$(missing_host_packages)
	[ -z "$missing" ] || die "still missing after install: $missing"
}

# check_host_commands: every tool the build runs is there, or say which package brings it.
check_host_commands() {
	local cmd pkg
	while read -r cmd pkg; do
		require_cmd "$cmd" "$pkg"
	done < <(host_commands)
}
