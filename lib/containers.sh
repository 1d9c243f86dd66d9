# shellcheck shell=bash
# Container images from Debian packages, offline of any registry.
#
#   containers_build OUT_DIR NAME...
#
# For each containers/NAME/recipe.yaml: the image's tree is made by mmdebstrap
# (its base's packages + its own), normalised, given the recipe's files, and
# packed by kopanion-image into OUT_DIR/NAME.tar: a docker-archive that is also
# an OCI layout, with two layers: the shared base layer (the tree of
# containers/BASE, built once per OUT_DIR and reused) and the image's own
# layer (its tree minus the base tree).
#
# Restartable: a finished OUT_DIR/NAME.tar whose inputs (recipe, files, tool,
# epoch) are unchanged is kept; work trees live in OUT_DIR/.work and are
# rebuilt from scratch when a step did not finish.
#
# Environment (all optional):
#   SOURCE_DATE_EPOCH     times in the images; default: last commit of containers/
#   KP_DEBIAN_MIRROR      default http://deb.debian.org/debian
#   KP_APT_CACHE          .deb cache shared by runs, default /var/cache/kopanion/apt-archives
#   KP_IMAGE_TOOL         default build/bin/kopanion-image of this tree

KP_CONTAINERS_ROOT=${KP_CONTAINERS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# What mmdebstrap leaves out of every tree: documentation and translations are
# not needed in a container (copyright files stay, for the licences).
KP_CONTAINERS_DPKG_EXCLUDES=(
	'path-exclude=/usr/share/doc/*'
	'path-include=/usr/share/doc/*/copyright'
	'path-exclude=/usr/share/man/*'
	'path-exclude=/usr/share/info/*'
	'path-exclude=/usr/share/locale/*'
	'path-include=/usr/share/locale/locale.alias'
	'path-exclude=/usr/share/lintian/*'
)

containers_log() { printf '%s\n' "kopanion: containers: $*" >&2; }
containers_die() {
	printf '%s\n' "kopanion: containers: error: $*" >&2
	return 1
}

containers_tool() { echo "${KP_IMAGE_TOOL:-$KP_CONTAINERS_ROOT/build/bin/kopanion-image}"; }

containers_epoch() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		echo "$SOURCE_DATE_EPOCH"
	else
		git -C "$KP_CONTAINERS_ROOT" log -1 --format=%ct -- containers 2>/dev/null | grep . || echo 0
	fi
}

containers_recipe() { echo "$KP_CONTAINERS_ROOT/containers/$1/recipe.yaml"; }

# containers_field NAME KEY: the values of KEY in the recipe, one a line.
containers_field() {
	"$(containers_tool)" recipe "$(containers_recipe "$1")" | awk -F '\t' -v k="$2" '$1 == k { print $2 }'
}

containers_check_host() {
	local cmd
	for cmd in mmdebstrap:mmdebstrap sha256sum:coreutils; do
		command -v "${cmd%%:*}" >/dev/null 2>&1 ||
			containers_die "'${cmd%%:*}' is missing: install the Debian package '${cmd#*:}'"
	done
	[ -x "$(containers_tool)" ] || containers_die "$(containers_tool) is missing: run 'make build/bin/kopanion-image'"
	[ "$(id -u)" = 0 ] || containers_die "mmdebstrap's root mode needs root"
}

# containers_fingerprint NAME BASE: what a finished image depends on.
containers_fingerprint() {
	local name=$1 base=$2
	{
		echo "epoch $(containers_epoch) mirror ${KP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
		sha256sum "$(containers_tool)"
		find "$KP_CONTAINERS_ROOT/containers/$base" "$KP_CONTAINERS_ROOT/containers/$name" \
			-type f -print0 | sort -z | xargs -0 sha256sum
	} | sha256sum | cut -d' ' -f1
}

# containers_mmdebstrap TREE SUITE VARIANT PACKAGES: a root tree in TREE (made fresh).
# Root mode: as root on this host, unshare mode has no /etc/subuid range to map;
# mmdebstrap mounts /proc, /sys and /dev in the tree for the maintainer scripts
# and unmounts them itself (containers_unmount_below is the safety net).
containers_mmdebstrap() {
	local tree=$1 suite=$2 variant=$3 packages=$4 cache=${KP_APT_CACHE:-/var/cache/kopanion/apt-archives}
	local opts=() ex
	for ex in "${KP_CONTAINERS_DPKG_EXCLUDES[@]}"; do
		opts+=("--dpkgopt=$ex")
	done
	mkdir -p "$cache"
	# a run killed inside mmdebstrap may have left /proc, /sys or /dev mounted
	# in the old tree: unmount before removing, and never cross into a mount
	containers_unmount_below "$tree"
	rm -rf --one-file-system "$tree"
	SOURCE_DATE_EPOCH=$(containers_epoch) mmdebstrap --mode=root --variant="$variant" \
		--include="$packages" --aptopt='Acquire::Retries "3"' "${opts[@]}" \
		--skip=download/empty --skip=essential/unlink \
		--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && find '$cache' -maxdepth 1 -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} +" \
		--customize-hook="for f in \"\$1\"/var/cache/apt/archives/*.deb; do b=\${f##*/}; [ -e '$cache'/\$b ] || { cp \"\$f\" '$cache'/.\$b.tmp && mv '$cache'/.\$b.tmp '$cache'/\$b; }; done" \
		"$suite" "$tree" "${KP_DEBIAN_MIRROR:-http://deb.debian.org/debian}" ||
		{
			containers_unmount_below "$tree"
			containers_die "mmdebstrap failed for $tree (is the Debian mirror reachable?)"
		}
	containers_unmount_below "$tree"
}

containers_unmount_below() {
	local mnt
	awk -v t="$(realpath -m "$1")" '$2 == t || index($2, t "/") == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" || true; done
}

# containers_normalise TREE: remove or fix what differs between two runs of
# mmdebstrap for the same packages, so equal inputs give equal layers.
containers_normalise() {
	local t=$1
	# device nodes mmdebstrap made for the maintainer scripts: the runtime provides /dev
	find "$t/dev" -xdev -mindepth 1 -delete
	# logs and caches of the install itself: timestamps, inode numbers, download order
	rm -rf "$t"/var/log/apt/* "$t"/var/log/dpkg.log "$t"/var/log/alternatives.log \
		"$t"/var/log/bootstrap.log "$t"/var/cache/ldconfig/aux-cache \
		"$t"/var/cache/apt/*.bin "$t"/var/lib/apt/lists/* "$t"/var/cache/debconf/*-old \
		"$t"/var/lib/dpkg/*-old "$t"/tmp/* "$t"/var/tmp/*
	# apt's download folder: owned by _apt or root depending on who made it first
	rm -rf "$t"/var/cache/apt/archives/partial
	: >"$t"/var/log/lastlog 2>/dev/null || true
	# identity of the build host: a container gets its own at run time
	rm -f "$t"/etc/machine-id "$t"/var/lib/dbus/machine-id "$t"/etc/hostname "$t"/etc/resolv.conf
	# byte-code caches carry mtimes of their sources and the build time
	find "$t" -xdev \( -name '*.pyc' -o -name __pycache__ \) -prune -exec rm -rf {} +
	# Berkeley DB / LMDB maps made by maintainer scripts hold uninitialised
	# bytes; they are rebuilt at container start (newaliases / postmap).
	rm -f "$t"/etc/aliases.db "$t"/etc/aliases.lmdb "$t"/etc/aliases.cdb "$t"/etc/postfix/*.db \
		"$t"/etc/postfix/*.lmdb "$t"/var/lib/postfix/*
	# the random seed postfix keeps for its TLS PRNG must not be shared by every container
	rm -f "$t"/var/lib/postfix/prng_exch
}

# containers_add_files NAME TREE: the recipe's files, with their modes, root-owned.
containers_add_files() {
	local name=$1 tree=$2 kind mode src dest
	while IFS=$'\t' read -r kind mode src dest; do
		[ "$kind" = file ] || continue
		[ -f "$KP_CONTAINERS_ROOT/containers/$name/$src" ] ||
			containers_die "containers/$name/recipe.yaml names '$src', which is not in containers/$name/"
		install -D -o 0 -g 0 -m "$mode" "$KP_CONTAINERS_ROOT/containers/$name/$src" "$tree$dest"
	done < <("$(containers_tool)" recipe "$(containers_recipe "$name")")
}

# containers_tree NAME TREE [BASE]: mmdebstrap + normalise + files.
containers_tree() {
	local name=$1 tree=$2 base=${3:-} suite variant packages
	suite=$(containers_field "$name" suite)
	packages=$( {
		[ -z "$base" ] || containers_field "$base" package
		containers_field "$name" package
	} | paste -sd, -)
	variant=$(containers_field "${base:-$name}" variant)
	if [ -n "$base" ] && [ "$suite" != "$(containers_field "$base" suite)" ]; then
		containers_die "containers/$name: suite '$suite' differs from its base '$base'"
	fi
	containers_mmdebstrap "$tree" "$suite" "${variant:-minbase}" "$packages"
	containers_normalise "$tree"
	containers_add_files "$name" "$tree"
}

# containers_base OUT_DIR BASE: the base tree and layer, built once per fingerprint.
containers_base() {
	local out=$1 base=$2 work fp
	work=$out/.work/$base
	fp=$(containers_fingerprint "$base" "$base")
	if [ -f "$work/layer.tar" ] && [ "$(cat "$work/stamp" 2>/dev/null)" = "$fp" ]; then
		containers_log "base '$base': reusing $work/layer.tar"
		return 0
	fi
	containers_log "base '$base': building the tree"
	rm -f "$work/stamp" "$work/layer.tar"
	mkdir -p "$work"
	containers_tree "$base" "$work/root"
	SOURCE_DATE_EPOCH=$(containers_epoch) "$(containers_tool)" layer --root "$work/root" -o "$work/layer.tar" >&2
	echo "$fp" >"$work/stamp"
}

# containers_image OUT_DIR NAME: OUT_DIR/NAME.tar.
containers_image() {
	local out=$1 name=$2 base work fp
	[ -f "$(containers_recipe "$name")" ] || containers_die "no recipe: containers/$name/recipe.yaml"
	base=$(containers_field "$name" base)
	base=${base:-base}
	work=$out/.work/$name
	fp=$(containers_fingerprint "$name" "$base")
	if [ -f "$out/$name.tar" ] && [ "$(cat "$work/stamp" 2>/dev/null)" = "$fp" ]; then
		containers_log "image '$name': up to date ($out/$name.tar)"
		return 0
	fi
	containers_base "$out" "$base"
	containers_log "image '$name': building the tree"
	rm -f "$work/stamp"
	mkdir -p "$work"
	containers_tree "$name" "$work/root" "$base"
	SOURCE_DATE_EPOCH=$(containers_epoch) "$(containers_tool)" layer --root "$work/root" \
		--base "$out/.work/$base/root" -o "$work/layer.tar" >&2
	SOURCE_DATE_EPOCH=$(containers_epoch) "$(containers_tool)" pack --recipe "$(containers_recipe "$name")" \
		--name "$name" --layer "$out/.work/$base/layer.tar" --layer "$work/layer.tar" -o "$out/$name.tar" >&2
	# the tree is only needed to build the layer; the base tree stays for the next image
	rm -rf --one-file-system "$work/root"
	echo "$fp" >"$work/stamp"
}

containers_build() {
	local out=${1:?usage: containers_build OUT_DIR NAME...} name
	shift
	[ "$#" -gt 0 ] || containers_die "usage: containers_build OUT_DIR NAME..."
	containers_check_host
	mkdir -p "$out"
	for name in "$@"; do
		containers_image "$out" "$name"
	done
}

# ---- the containers stage of build.sh -------------------------------------
#
# $KP_WORK/containers/ holds every image the appliance preloads, as tars that
# docker load accepts, and index: one "FILE TAG" line per image, in load order
# (the recipes of KP_CONTAINERS, then the archives of KP_CONTAINER_ARCHIVES).
# The rootfs stage lays exactly the indexed files into the appliance.

containers_out_dir() { echo "$KP_WORK/containers"; }

# The images' SOURCE_DATE_EPOCH: the one given to build.sh, else the last
# commit of containers/ (not of the whole repo), so that a commit elsewhere
# does not rebuild the images or change their digests.
containers_stage_epoch() {
	if [ "${KP_EPOCH_GIVEN:-false}" = true ]; then
		echo "$SOURCE_DATE_EPOCH"
	else
		(unset SOURCE_DATE_EPOCH; containers_epoch)
	fi
}

# containers_archive_inputs: what the stage knows of each archive without
# reading it whole (path, size, mtime); an archive replaced in place rebuilds.
containers_archive_inputs() {
	local archive
	for archive in $KP_CONTAINER_ARCHIVES; do
		stat -c '%n %s %Y' "$archive" 2>/dev/null || echo "$archive missing"
	done
}

# containers_manifest_field TAR JQ: one value from the tar's docker manifest.json.
containers_manifest_field() {
	tar -xOf "$1" manifest.json 2>/dev/null | jq -er "$2" 2>/dev/null
}

# containers_tag TAR: the image's first repo tag; docker load names it so.
containers_tag() {
	local tag
	[ "$(containers_manifest_field "$1" length)" = 1 ] ||
		containers_die "$1: not a docker-archive with exactly one image (manifest.json); docker load needs one, with a tag"
	tag=$(containers_manifest_field "$1" '.[0].RepoTags[0]') ||
		containers_die "$1: the image has no repo tag in manifest.json; tag it (e.g. 'docker save vendor/app:1.0 -o FILE')"
	echo "$tag"
}

# containers_take_archive OUT_DIR ARCHIVE: a verified copy of an existing image archive.
containers_take_archive() {
	local out=$1 archive=$2 dest
	dest=$out/$(basename "$archive")
	"$(containers_tool)" verify "$archive" ||
		containers_die "$archive: the image archive does not verify (see above); nothing of it is preloaded"
	containers_tag "$archive" >/dev/null
	cp --reflink=auto "$archive" "$dest.tmp"
	mv -f "$dest.tmp" "$dest"
}

# containers_check_names: one file name per image in the appliance.
containers_check_names() {
	local files
	files=$(for f in $KP_CONTAINERS; do echo "$f.tar"; done
		for f in $KP_CONTAINER_ARCHIVES; do basename "$f"; done)
	[ -z "$(sort <<<"$files" | uniq -d)" ] ||
		containers_die "two preloaded images would share the file name '$(sort <<<"$files" | uniq -d | head -n 1)'; rename an archive"
}

# containers_index_line TAR: "FILE TAG".
containers_index_line() {
	local tag
	tag=$(containers_tag "$1") || return 1
	echo "$(basename "$1") $tag"
}

containers_write_index() {
	local out=$1 f
	{
		echo "# Kopanion preloaded images: FILE TAG, in load order (written by build.sh)"
		for f in $KP_CONTAINERS; do containers_index_line "$out/$f.tar" || return 1; done
		for f in $KP_CONTAINER_ARCHIVES; do containers_index_line "$out/$(basename "$f")" || return 1; done
	} >"$out/index.tmp"
	mv -f "$out/index.tmp" "$out/index"
}

# containers_indexed_files OUT_DIR: the tars the index names.
containers_indexed_files() { awk '!/^#/ && NF { print $1 }' "$1/index"; }

stage_containers() {
	local out archive
	out=$(containers_out_dir)
	mkdir -p "$out"
	rm -f "$out/index"
	containers_check_names
	if [ -n "$KP_CONTAINERS" ]; then
		# shellcheck disable=SC2086 # a space-separated list of recipe names
		SOURCE_DATE_EPOCH=$(containers_stage_epoch) KP_APT_CACHE=${KP_APT_CACHE:-$KP_CACHE/apt-archives} \
			containers_build "$out" $KP_CONTAINERS
	fi
	for archive in $KP_CONTAINER_ARCHIVES; do
		containers_take_archive "$out" "$archive"
	done
	containers_write_index "$out"
	cat "$out/index"
	(cd "$out" && containers_indexed_files . | xargs -r ls -l --)
}

# containers_describe TAR: "TAG BYTES" then one "  layer DIGEST BYTES" line per
# layer, bottom first (the first is the shared base in our own images).
containers_describe() {
	local tar=$1 layer
	printf '%s %s bytes\n' "$(containers_manifest_field "$tar" '.[0].RepoTags[0] // "untagged"')" "$(stat -c %s "$tar")"
	for layer in $(containers_manifest_field "$tar" '.[0].Layers[]'); do
		tar -tvf "$tar" "$layer" | awk -v l="${layer##*/}" '{ printf "  layer sha256:%.12s %12s bytes\n", l, $3 }'
	done
}
