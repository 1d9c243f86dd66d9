#!/bin/bash
# The real mta image, built by lib/containers.sh from Debian packages
# (mmdebstrap), read back by skopeo and umoci; built twice from scratch it
# must have the same digests. About 5-8 minutes with a warm package cache
# (two full builds), more cold: runs only with KP_TEST_SLOW=1.
. "$(dirname "$0")/../lib.sh"

[ "${KP_TEST_SLOW:-0}" = 1 ] || test_skip_all "builds two Debian images with mmdebstrap (5+ minutes); set KP_TEST_SLOW=1 to run"
[ "$(id -u)" = 0 ] || test_skip_all "mmdebstrap root mode needs root"
test_require_cmd mmdebstrap mmdebstrap
test_require_cmd skopeo skopeo
test_require_cmd umoci umoci
test_require_cmd jq jq
[ -x "$KP_BIN/kopanion-image" ] || test_skip_all "build/bin/kopanion-image not built"
mirror=${KP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
curl -fsI --max-time 20 "$mirror/dists/trixie/Release" >/dev/null 2>&1 ||
	test_skip_all "the Debian mirror $mirror is not reachable"

# A copy of containers/ plus a second, tiny image, to show the base layer is shared.
export KP_CONTAINERS_ROOT=$TEST_TMP/src KP_IMAGE_TOOL=$KP_BIN/kopanion-image SOURCE_DATE_EPOCH=1764700000
mkdir -p "$KP_CONTAINERS_ROOT/containers/probe"
cp -a "$KP_ROOT/containers/." "$KP_CONTAINERS_ROOT/containers/"
cat >"$KP_CONTAINERS_ROOT/containers/probe/recipe.yaml" <<'EOF'
suite: trixie
base: base
packages: [hello]
entrypoint: ["/usr/bin/hello"]
tag: kopanion/probe:test
EOF

build() {
	bash -c 'set -euo pipefail; . "$1/lib/containers.sh"; shift; containers_build "$@"' _ "$KP_ROOT" "$@"
}

layers() { skopeo inspect --raw docker-archive:"$1" | jq -r '.layers[].digest'; }

test_expect_success 'containers_build makes mta and a second image sharing the base (first build)' '
	start=$(date +%s) &&
	build "$TEST_TMP/a" mta probe >build-a.log 2>&1 &&
	echo "build a: $(($(date +%s) - start)) s" &&
	test -f a/mta.tar && test -f a/probe.tar
'

test_expect_success 'mta has two layers; the base layer is the same blob in both images' '
	test "$(layers a/mta.tar | wc -l)" = 2 &&
	test "$(layers a/mta.tar | head -1)" = "$(layers a/probe.tar | head -1)" &&
	test "$(layers a/mta.tar | head -1)" = "sha256:$(sha256sum <a/.work/base/layer.tar | cut -d" " -f1)" &&
	"$KP_BIN/kopanion-image" verify a/mta.tar
'

test_expect_success 'mta config: ports 25/tcp and 587/tcp, the spool volume, healthcheck, tag' '
	skopeo inspect --raw --config docker-archive:a/mta.tar >cfg.json &&
	test "$(jq -r ".config.ExposedPorts | keys | join(\" \")" cfg.json)" = "25/tcp 587/tcp" &&
	test "$(jq -r ".config.Volumes | keys | join(\" \")" cfg.json)" = /var/spool/postfix &&
	test "$(jq -c ".config.Healthcheck.Test" cfg.json)" = "[\"CMD\",\"postfix\",\"status\"]" &&
	test "$(jq -r ".config.Entrypoint[0]" cfg.json)" = /usr/bin/tini &&
	mkdir l && tar -xf a/mta.tar -C l manifest.json &&
	test "$(jq -r ".[0].RepoTags[0]" l/manifest.json)" = kopanion/mta:0.1.0
'

test_expect_success 'the unpacked mta bundle has postfix, tini and our entrypoint' '
	skopeo copy -q docker-archive:a/mta.tar oci:oci:mta >/dev/null &&
	umoci unpack --image oci:mta bundle >/dev/null &&
	test -x bundle/rootfs/usr/sbin/postfix &&
	test -x bundle/rootfs/usr/bin/tini &&
	test -x bundle/rootfs/usr/local/sbin/kopanion-mta-entrypoint &&
	test "$(cat bundle/rootfs/etc/mailname)" = localhost &&
	test ! -e bundle/rootfs/etc/machine-id &&
	test -z "$(ls -A bundle/rootfs/dev)"
'

# run_mta CMD: the unpacked image in its own mount, PID and network namespace,
# the entrypoint as the runtime would start it; CMD runs beside it.
run_mta() {
	unshare -m -p -f -n sh -c '
		ip link set lo up
		mount --rbind /dev bundle/rootfs/dev && mount -t proc proc bundle/rootfs/proc || exit 1
		chroot bundle/rootfs env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin MTA_DOMAIN=example.org \
			/usr/bin/tini -- /usr/local/sbin/kopanion-mta-entrypoint postfix start-fg >mta.log 2>&1 &
		sleep 8
		chroot bundle/rootfs bash -c "$1"; rc=$?
		chroot bundle/rootfs postfix stop >/dev/null 2>&1
		exit $rc' _ "$1"
}

test_expect_success 'the image runs: healthcheck passes, SMTP banners on 25 and 587' '
	command -v ip >/dev/null || { echo "ip (iproute2) missing"; exit 1; } &&
	run_mta "postfix status && exec 3<>/dev/tcp/127.0.0.1/25 && head -1 <&3 && exec 4<>/dev/tcp/127.0.0.1/587 && head -1 <&4" \
		>banner 2>&1 &&
	cat banner &&
	test "$(grep -c "^220 localhost ESMTP Postfix" banner)" = 2 &&
	grep "mydomain = example.org" bundle/rootfs/etc/postfix/main.cf
'

test_expect_success 'a second build from scratch gives the same digests' '
	build "$TEST_TMP/b" mta >build-b.log 2>&1 &&
	layers a/mta.tar >la && layers b/mta.tar >lb && test_cmp la lb &&
	cmp a/mta.tar b/mta.tar
'

test_expect_success 'a rerun with nothing changed reuses the finished image' '
	build "$TEST_TMP/b" mta 2>rerun.log &&
	grep "image .mta.: up to date" rerun.log
'

du -k a/.work/base/layer.tar a/.work/mta/layer.tar 2>/dev/null | sed 's/^/# size KiB: /'
test_done
