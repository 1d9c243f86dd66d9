#!/bin/bash
# kopanion-image: layers and image archives from a small hand-made tree,
# read back by real consumers (skopeo, umoci), byte-identical on rebuild,
# hostile input refused, tampering found by `verify`.
. "$(dirname "$0")/../lib.sh"

test_require_cmd skopeo skopeo
test_require_cmd umoci umoci
test_require_cmd jq jq
test_require_cmd python3 python3
[ -x "$KP_BIN/kopanion-image" ] || test_skip_all "build/bin/kopanion-image not built (make build/bin/kopanion-image)"

FIX=$KP_ROOT/tests/tools/t0500-image
IMG=$KP_BIN/kopanion-image
export SOURCE_DATE_EPOCH=1700000000

# make_trees: base/ and top/ (top = base - etc/gone + changed/added files)
make_trees() {
	mkdir -p base/etc base/usr/bin base/srv base/var/lib/old
	printf 'base\n' >base/etc/hello.txt
	printf 'bye\n' >base/etc/gone
	printf 'x\n' >base/var/lib/old/file
	printf '#!/bin/sh\necho hello\n' >base/usr/bin/hello
	chmod 0755 base/usr/bin/hello
	ln -s usr/bin base/bin
	ln base/usr/bin/hello base/usr/bin/hello-again
	cp -a base top
	rm top/etc/gone
	rm -r top/var/lib/old
	printf 'top layer\n' >top/etc/hello.txt
	mkdir -p top/srv/data
	ln -s /etc/hello.txt top/srv/abs-link
	printf 'caf\xc3\xa9\n' >"top/srv/café"
	chown 1000:1000 top/srv/data
}

test_expect_success 'layer: the base tree and the top layer (its difference) are written' '
	make_trees &&
	"$IMG" layer --root base -o base.tar >out &&
	grep "^layer base.tar: 13 entries, 0 whiteouts" out &&
	"$IMG" layer --root top --base base -o top.tar >out &&
	grep "2 whiteouts" out &&
	tar -tf top.tar >list &&
	grep -x "etc/.wh.gone" list &&
	grep -x "var/lib/.wh.old" list &&
	! grep "var/lib/old/" list &&
	! grep -x "usr/bin/hello" list &&
	grep -x "etc/hello.txt" list
'

test_expect_success 'layer: owners numeric, mtimes clamped to SOURCE_DATE_EPOCH, sorted' '
	tar -tvf top.tar --numeric-owner --full-time >long &&
	grep "1000/1000 .* 2023-11-14 22:13:20 srv/data/" long &&
	! grep -v " 2023-11-14 22:13:20 " long &&
	tar -tf base.tar >names && LC_ALL=C sort -c names
'

test_expect_success 'pack: one tar with docker manifest.json and an OCI layout' '
	"$IMG" pack --recipe "$FIX/recipe.yaml" --layer base.tar --layer top.tar -o image.tar >pack.out &&
	tar -tf image.tar >members &&
	test "$(head -2 members | tr "\n" " ")" = "blobs/ blobs/sha256/ " &&
	test "$(tail -3 members | tr "\n" " ")" = "index.json manifest.json oci-layout " &&
	test "$(grep -c "^blobs/sha256/[0-9a-f]\{64\}$" members)" = 4 &&
	grep "^manifest sha256:" pack.out && grep -c "^layer sha256:" pack.out | grep -x 2
'

test_expect_success 'pack: layer digests are sha256 of the layer tars (DiffIDs)' '
	echo "sha256:$(sha256sum <base.tar | cut -d" " -f1)" >want &&
	echo "sha256:$(sha256sum <top.tar | cut -d" " -f1)" >>want &&
	awk "/^layer /{print \$2}" pack.out >got &&
	test_cmp want got
'

test_expect_success 'skopeo reads the docker-archive: layers and config as we wrote them' '
	skopeo inspect docker-archive:image.tar >d.json &&
	jq -r ".Layers[]" d.json >d.layers && test_cmp want d.layers &&
	skopeo inspect --raw --config docker-archive:image.tar >dcfg.json &&
	test "sha256:$(sha256sum <dcfg.json | cut -d" " -f1)" = "$(awk "/^config /{print \$2}" pack.out)" &&
	jq -r ".rootfs.diff_ids[]" dcfg.json >d.diffids && test_cmp want d.diffids &&
	test "$(jq -r ".config.ExposedPorts | keys | join(\" \")" dcfg.json)" = "25/tcp 53/udp 587/tcp" &&
	test "$(jq -r ".config.Env[0]" dcfg.json)" = "GREETING=hello \"world\" & <friends>" &&
	test "$(jq -r ".config.User" dcfg.json)" = "1000:1000" &&
	test "$(jq -r ".config.WorkingDir" dcfg.json)" = /srv &&
	test "$(jq -r ".config.Volumes | keys | join(\" \")" dcfg.json)" = "/srv/data /var/spool/x" &&
	test "$(jq -r ".config.Labels[\"org.opencontainers.image.version\"]" dcfg.json)" = 1.2.3 &&
	test "$(jq -r ".created" dcfg.json)" = 2023-11-14T22:13:20Z &&
	test "$(jq -r ".architecture + \"/\" + .os" dcfg.json)" = amd64/linux &&
	test "$(jq -r ".history | length" dcfg.json)" = 2
'

test_expect_success 'healthcheck: test, interval, timeout, start period in nanoseconds, retries' '
	test "$(jq -c ".config.Healthcheck" dcfg.json)" = \
		"{\"Test\":[\"CMD-SHELL\",\"test -f /etc/hello.txt\"],\"Interval\":90000000000,\"Timeout\":5000000000,\"StartPeriod\":500000000,\"Retries\":4}"
'

test_expect_success 'skopeo reads the same tar as an OCI layout, by tag, with the same digests' '
	mkdir layout && tar -xf image.tar -C layout &&
	skopeo inspect oci:layout:1.0 >o.json &&
	test "$(jq -r .Digest o.json)" = "$(awk "/^manifest /{print \$2}" pack.out)" &&
	jq -r ".Layers[]" o.json >o.layers && test_cmp want o.layers &&
	skopeo inspect oci:layout:latest >/dev/null &&
	jq -r ".manifests[].annotations[\"io.containerd.image.name\"]" layout/index.json >names &&
	grep -x docker.io/kopanion/t0500:1.0 names &&
	grep -x registry.example.org:5000/team/t0500:latest names &&
	jq -r ".[0].Config" layout/manifest.json | grep "^blobs/sha256/" &&
	test "$(jq -r ".[0].RepoTags | join(\" \")" layout/manifest.json)" = \
		"kopanion/t0500:1.0 registry.example.org:5000/team/t0500:latest"
'

test_expect_success 'skopeo copy + umoci unpack: the top layer applies over the base' '
	skopeo copy -q docker-archive:image.tar oci:copied:t >/dev/null &&
	umoci unpack --image copied:t bundle >/dev/null &&
	test "$(cat bundle/rootfs/etc/hello.txt)" = "top layer" &&
	test ! -e bundle/rootfs/etc/gone &&
	test ! -e bundle/rootfs/var/lib/old &&
	test "$(cat "bundle/rootfs/srv/café")" = café &&
	test "$(readlink bundle/rootfs/srv/abs-link)" = /etc/hello.txt &&
	test "$(stat -c %u:%g bundle/rootfs/srv/data)" = 1000:1000 &&
	test -x bundle/rootfs/usr/bin/hello &&
	umoci stat --image copied:t --json | jq -r ".history | length" | grep -x 2
'

test_expect_success 'rebuilding gives byte-identical layers and image' '
	"$IMG" layer --root top --base base -o top2.tar >/dev/null &&
	cmp top.tar top2.tar &&
	"$IMG" pack --recipe "$FIX/recipe.yaml" --layer top2.tar --base-layer base.tar -o image2.tar >/dev/null &&
	test "$(sha256sum <image.tar)" = "$(sha256sum <image2.tar)"
'

test_expect_success 'verify: passes our image and names tags and layers' '
	"$IMG" verify image.tar >v.out &&
	grep "^format: docker-archive + oci-layout" v.out &&
	grep -c "diff_id sha256:.* ok" v.out | grep -x 2 &&
	grep "^verified: image.tar" v.out
'

test_expect_success 'verify: reads gzip-compressed layers (DiffID of the uncompressed bytes)' '
	skopeo copy -q --dest-compress docker-archive:image.tar oci:gz:t >/dev/null &&
	(cd gz && tar -cf ../gz.tar .) &&
	"$IMG" verify gz.tar >gz.out &&
	grep -c "diff_id sha256:.* ok" gz.out | grep -x 2
'

test_expect_success 'verify: a docker save (pre-v25) archive with a symlinked repeated layer' '
	"$IMG" pack --recipe "$FIX/recipe.yaml" --layer base.tar --layer base.tar -o twice.tar >/dev/null &&
	mkdir twice legacy && tar -xf twice.tar -C twice &&
	cfg=$(jq -r ".[0].Config" twice/manifest.json) && hex=${cfg##*/} &&
	cp "twice/$cfg" "legacy/$hex.json" &&
	mkdir legacy/l1 legacy/l2 && cp base.tar legacy/l1/layer.tar && ln -s ../l1/layer.tar legacy/l2/layer.tar &&
	echo "[{\"Config\":\"$hex.json\",\"RepoTags\":[\"old/style:1\"],\"Layers\":[\"l1/layer.tar\",\"l2/layer.tar\"]}]" \
		>legacy/manifest.json &&
	(cd legacy && tar -cf ../legacy.tar manifest.json "$hex.json" l1 l2) &&
	"$IMG" verify legacy.tar >legacy.out &&
	grep "^format: docker-archive," legacy.out && grep "tags: old/style:1" legacy.out
'

test_expect_success 'verify: a tampered blob fails with exit 1 and says which' '
	mkdir t && tar -xf image.tar -C t &&
	cfg=$(jq -r ".[0].Config" t/manifest.json) &&
	sed -i "s/amd64/arm64/" "t/$cfg" &&
	(cd t && tar -cf ../tampered.tar *) &&
	test_must_fail "$IMG" verify tampered.tar 2>err &&
	grep "blob .$cfg. has sha256 .*does not match its name" err &&
	grep "failed verification" err
'

test_expect_success 'verify: a layer that does not match its DiffID fails' '
	rm -rf t && mkdir t && tar -xf image.tar -C t &&
	top=$(jq -r ".[0].Layers[1]" t/manifest.json) &&
	cp base.tar "t/$top" &&
	(cd t && tar -cf ../swapped.tar *) &&
	test_must_fail "$IMG" verify swapped.tar 2>err &&
	grep "config says its DiffID is" err
'

# hostile_pack NAME MESSAGE: packing layer NAME.tar fails with MESSAGE, leaving no output.
hostile_pack() {
	mkdir -p "out-$1" &&
	test_must_fail "$IMG" pack --recipe "$FIX/recipe.yaml" --layer "hostile/$1.tar" -o "out-$1/image.tar" 2>err &&
	cat err && grep -F -- "$2" err && test -z "$(ls -A "out-$1")"
}

test_expect_success 'hostile layers are refused, naming the entry, with no output left' '
	mkdir hostile && python3 "$FIX/make-hostile.py" hostile &&
	hostile_pack dotdot "entry '\''etc/../../evil'\'' has a '\''..'\'' component" &&
	hostile_pack absolute "entry '\''/etc/evil'\'' has an absolute path" &&
	hostile_pack hardlink "hardlink '\''etc/shadow-link'\'' -> '\''../../etc/shadow'\'' points outside the image root" &&
	hostile_pack symlink "symlink '\''usr/lib/escape'\'' -> '\''../../../etc/shadow'\'' points outside" &&
	hostile_pack device "entry '\''dev/sda'\'' is a device node" &&
	hostile_pack chardev "entry '\''dev/mem'\'' is a device node" &&
	hostile_pack notutf8 "is not valid UTF-8"
'

test_expect_success 'hostile trees are refused by layer, with no output left' '
	mkdir -p dev-tree/dev && mknod dev-tree/dev/null c 1 3 &&
	mkdir -p out-tree &&
	test_must_fail "$IMG" layer --root dev-tree -o out-tree/l.tar 2>err &&
	grep "'\''dev/null'\'' is a device node" err &&
	mkdir -p bad-name && touch "bad-name/caf$(printf "\\351")" &&
	test_must_fail "$IMG" layer --root bad-name -o out-tree/l.tar 2>err &&
	grep "not valid UTF-8" err &&
	mkdir -p esc/usr/lib && ln -s ../../../../etc/shadow esc/usr/lib/x &&
	test_must_fail "$IMG" layer --root esc -o out-tree/l.tar 2>err &&
	grep "points outside the image root" err &&
	test -z "$(ls -A out-tree)"
'

test_expect_success 'sockets are skipped with a note' '
	mkdir -p sock && python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"sock/s\")" &&
	"$IMG" layer --root sock -o sock.tar 2>err >/dev/null &&
	grep "skipping socket .s." err && test -z "$(tar -tf sock.tar)"
'

test_expect_success 'recipe errors cite file:line:column' '
	test_must_fail "$IMG" recipe "$FIX/fail-unknown-key.yaml" 2>err &&
	grep "fail-unknown-key.yaml:2:1: unknown key .entrypiont." err &&
	test_must_fail "$IMG" recipe "$FIX/fail-bad-port.yaml" 2>err &&
	grep "fail-bad-port.yaml:3:3: port .70000/tcp. is not" err &&
	test_must_fail "$IMG" recipe "$FIX/fail-bad-duration.yaml" 2>err &&
	grep "fail-bad-duration.yaml:4:13: .soon. is not a duration" err &&
	test_must_fail "$IMG" recipe "$FIX/fail-no-suite.yaml" 2>err &&
	grep "suite. is required" err
'

test_expect_success 'usage errors exit 2' '
	rc=0; "$IMG" pack -o x.tar 2>/dev/null || rc=$?; test "$rc" = 2 &&
	rc=0; "$IMG" frobnicate 2>/dev/null || rc=$?; test "$rc" = 2 &&
	"$IMG" --help | grep "^  verify IMAGE.tar"
'

test_done
