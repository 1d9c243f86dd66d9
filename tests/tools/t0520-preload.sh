#!/usr/bin/env bash
# Preloading images into the appliance, without a VM:
# - build side (lib/containers.sh): an existing archive is verified and indexed
#   by its tag; a broken or untagged one stops the build; the index is in load order.
# - appliance side (overlays/usr/lib/kopanion/load-images, against a stand-in
#   docker CLI): the first run loads, a second loads nothing, an image whose
#   tag points at another ID is loaded again, a load cut short is finished by
#   the next run, and the first boot's timing is kept.
# - the compose file runs the image tags the recipes give.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

test_require_cmd jq jq
IMG=$KP_BIN/kopanion-image
[ -x "$IMG" ] || test_skip_all "build/bin/kopanion-image not built (run make)"
LOADER=$KP_ROOT/overlays/usr/lib/kopanion/load-images
export IMG LOADER SOURCE_DATE_EPOCH=1764700000
export PATH="$KP_ROOT/tests/tools/t0520-preload:$PATH" FAKE_DOCKER=$TEST_TMP/docker

# image NAME TAG: NAME.tar, a one-layer image tagged TAG, packed by kopanion-image.
image() {
	mkdir -p "src-$1/etc" && echo "$1" >"src-$1/etc/name" &&
	printf 'suite: trixie\ntag: %s\n' "$2" >"$1.yaml" &&
	"$IMG" layer --root "src-$1" -o "$1.layer.tar" >/dev/null &&
	"$IMG" pack --recipe "$1.yaml" --layer "$1.layer.tar" -o "$1.tar" >/dev/null
}

config_id() { echo "sha256:$(tar -xOf "$1" manifest.json | jq -r '.[0].Config' | sed 's,.*/,,; s,\.json$,,')"; }

# in_build CMD...: CMD with lib/containers.sh loaded as build.sh has it.
in_build() {
	bash -c 'set -euo pipefail; . "$KP_ROOT/lib/containers.sh"; KP_WORK=$PWD/work; "$@"' _ "$@"
}

# stage_with ARCHIVE...: the containers stage for these archives and no recipe.
stage_with() {
	KP_CONTAINERS='' KP_CONTAINER_ARCHIVES="$*" in_build stage_containers
}

loader() { KOPANION_IMAGES_DIR=$PWD/images STATE_DIRECTORY=$PWD/state "$LOADER"; }
loads() { if [ -f docker/loads ]; then wc -l <docker/loads; else echo 0; fi; }

test_expect_success 'build side: two archives verified, copied and indexed by tag, in order' '
	image one vendor/one:1.0 && image two vendor/two:2.0 &&
	mkdir -p work/containers &&
	stage_with "$PWD/two.tar" "$PWD/one.tar" >stage.out &&
	printf "%s\n" "two.tar vendor/two:2.0" "one.tar vendor/one:1.0" >expect &&
	grep -v "^#" work/containers/index >actual && test_cmp expect actual &&
	cmp one.tar work/containers/one.tar && cmp two.tar work/containers/two.tar &&
	test "$(in_build containers_indexed_files work/containers | paste -sd" ")" = "two.tar one.tar" &&
	cp work/containers/index index.built
'

test_expect_success 'build side: a damaged archive stops the stage and is not indexed' '
	cp one.tar bad.tar &&
	first_blob_data=$(( 512 * ($(tar -tf bad.tar -R | grep -m1 "blobs/sha256/." | sed "s/^block \([0-9]*\):.*/\1/") + 1) )) &&
	printf "\\377" | dd of=bad.tar bs=1 seek=$((first_blob_data + 4)) conv=notrunc 2>/dev/null &&
	mkdir -p work/containers &&
	test_must_fail stage_with "$PWD/bad.tar" >bad.out 2>&1 &&
	grep "bad.tar: the image archive does not verify" bad.out &&
	test ! -f work/containers/index
'

test_expect_success 'build side: an archive without a tag is refused, with what to do' '
	mkdir untagged && tar -xf one.tar -C untagged &&
	jq -c ".[0].RepoTags = []" untagged/manifest.json >m.json && mv m.json untagged/manifest.json &&
	(cd untagged && tar -cf ../untagged.tar -- *) &&
	test_must_fail stage_with "$PWD/untagged.tar" >untagged.out 2>&1 &&
	grep "untagged.tar: the image has no repo tag in manifest.json; tag it" untagged.out
'

test_expect_success 'build side: two images with one file name are refused' '
	mkdir -p other && cp one.tar other/one.tar &&
	test_must_fail stage_with "$PWD/one.tar" "$PWD/other/one.tar" >dup.out 2>&1 &&
	grep "would share the file name .one.tar." dup.out
'

test_expect_success 'appliance: the first run loads every indexed image and keeps its timing' '
	rm -rf images docker state && mkdir images &&
	cp index.built images/index && cp one.tar two.tar images/ &&
	loader >run1.out &&
	test "$(loads)" = 2 &&
	test "$(docker image inspect --format "{{.Id}}" vendor/one:1.0)" = "$(config_id one.tar)" &&
	grep -E "^kopanion-load-images: vendor/two:2.0: loaded from two.tar in [0-9.]+ s" run1.out &&
	grep -Ex "seconds=[0-9.]+ loaded=2 skipped=0 failed=0" state/first-load &&
	cmp state/first-load state/last-load
'

test_expect_success 'appliance: a second run loads nothing and keeps the first timing' '
	cp state/first-load first.before &&
	loader >run2.out &&
	test "$(loads)" = 2 &&
	grep -c "already loaded" run2.out | grep -x 2 &&
	grep -Ex "seconds=[0-9.]+ loaded=0 skipped=2 failed=0" state/last-load &&
	cmp first.before state/first-load
'

test_expect_success 'appliance: a tag on another image ID is loaded again, the other is skipped' '
	echo sha256:0000000000000000000000000000000000000000000000000000000000000000 >docker/images/vendor_one:1.0 &&
	loader >run3.out &&
	test "$(loads)" = 3 &&
	test "$(tail -n 1 docker/loads)" = "$PWD/images/one.tar" &&
	test "$(docker image inspect --format "{{.Id}}" vendor/one:1.0)" = "$(config_id one.tar)"
'

test_expect_success 'appliance: a load cut short fails the run; the next run finishes it' '
	rm -f docker/images/vendor_two:2.0 &&
	test_must_fail env FAKE_DOCKER_CRASH=1 KOPANION_IMAGES_DIR=$PWD/images STATE_DIRECTORY=$PWD/state "$LOADER" >run4.out 2>&1 &&
	grep "error: docker load of $PWD/images/two.tar failed" run4.out &&
	grep -Ex "seconds=[0-9.]+ loaded=0 skipped=1 failed=1" state/last-load &&
	loader >run5.out &&
	grep "vendor/two:2.0: loaded from two.tar" run5.out &&
	grep "vendor/one:1.0: already loaded" run5.out
'

test_expect_success 'appliance: an archive without manifest.json fails, the others still load' '
	rm -rf docker && tar -cf images/junk.tar -C src-one etc &&
	echo "junk.tar vendor/junk:1" >>images/index &&
	test_must_fail env KOPANION_IMAGES_DIR=$PWD/images STATE_DIRECTORY=$PWD/state "$LOADER" >run6.out 2>&1 &&
	grep "junk.tar has no readable manifest.json" run6.out &&
	test "$(loads)" = 2 && test "$(ls docker/images | paste -sd" ")" = "vendor_one:1.0 vendor_two:2.0"
'

test_expect_success 'appliance: no index, nothing to do' '
	mkdir empty && KOPANION_IMAGES_DIR=$PWD/empty STATE_DIRECTORY=$PWD/state "$LOADER"
'

test_expect_success 'the compose file runs the tags the recipes give' '
	grep -E "^    image: " "$KP_ROOT/overlays/etc/kopanion/compose.yaml" | awk "{ print \$2 }" >used &&
	test -s used &&
	while read -r tag; do
		name=$(echo "$tag" | sed "s,^kopanion/,,; s,:.*,,") &&
		"$IMG" recipe "$KP_ROOT/containers/$name/recipe.yaml" | grep -qx "tag	$tag" || { echo "no recipe gives $tag"; exit 1; }
	done <used
'

test_done
