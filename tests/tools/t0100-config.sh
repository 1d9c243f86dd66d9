#!/usr/bin/env bash
# t0100-config: kopanion-config turns the YAML description into the build
# plan that build.sh sources; every mistake a user can make gives one exact
# error line (file:line:column and the key), exit 1, and no plan.
#
# Fixtures: config/fail-*.yaml, one per error class; the expected line of
# each is in the table below. Run from anywhere:
#   prove --exec '' tests/tools/t0100-config.sh
set -o pipefail
. "$(dirname "$0")/../lib.sh"

TOOL=$KP_BIN/kopanion-config
FIXTURES=$KP_ROOT/tests/tools/config
[ -x "$TOOL" ] || test_skip_all "$TOOL is not built (run 'make build/bin/kopanion-config')"

# value_of PLAN VAR: the value of VAR after sourcing PLAN in a clean bash.
value_of() {
	env -i bash -c '. "$1" && printf %s "${!2}"' _ "$1" "$2"
}

# expect_plan_value PLAN VAR WANT
expect_plan_value() {
	local got
	got=$(value_of "$1" "$2")
	if [ "$got" != "$3" ]; then
		echo "$2: got '$got', want '$3'" >&2
		return 1
	fi
}

# expect_config_error FIXTURE LINE: `plan -o` exits 1, prints LINE exactly,
# and leaves nothing in the output folder.
expect_config_error() {
	local rc=0 out=$TEST_TMP/out.$$
	rm -rf "$out" && mkdir "$out"
	(cd "$FIXTURES" && "$TOOL" plan -o "$out/plan" "$1") >"$out.stdout" 2>"$out.stderr" || rc=$?
	cat "$out.stderr"
	[ "$rc" -eq 1 ] || { echo "exit $rc, want 1" >&2; return 1; }
	grep -Fx -- "$2" "$out.stderr" >/dev/null || { echo "missing line: $2" >&2; return 1; }
	[ ! -s "$out.stdout" ] || { echo "something went to stdout" >&2; return 1; }
	[ -z "$(ls -A "$out")" ] || { echo "left behind: $(ls -A "$out")" >&2; return 1; }
}

# A description that sets every key, with its eula, an archive and a recipe.
write_full_config() {
	mkdir -p full/containers/web full/images
	: >full/containers/web/recipe.yaml
	echo "licence" >full/eula.txt
	echo "tar" >full/images/db.tar
	cat >full/appliance.yaml <<-'YAML'
	name: demo-1
	version: 2.0~rc1
	debian:
	  suite: trixie
	  mirror: https://mirror.example.org/debian/
	  packages: [curl, g++, libc6-dev]
	vm:
	  cpus: 12
	  memory_gib: 96
	storage:
	  system_gib: 30
	  planned_data_gib: 12.5
	image:
	  artifacts: [ova, iso]
	  iso_compression: xz
	  qcow2_compat: "0.10"
	  qcow2_compress: true
	ova:
	  hardware: vmx-11
	  digest: sha1
	  firmware: efi
	  disk_controller: sata
	  nic: e1000e
	  product: 'It''s $(touch pwned) `touch pwned` "q" \ ; a  b'
	  vendor: "ACME & Co | <tag> #1"
	  url: https://example.org/?a=1&b=2
	  eula: eula.txt
	  profile: vmware-6.5
	containers:
	  - name: web
	  - archive: images/db.tar
	YAML
}

expected_full_plan() {
	local d=$1
	cat <<-EOF
	KP_NAME='demo-1'
	KP_VERSION='2.0~rc1'
	KP_ARCH='amd64'
	KP_SUITE='trixie'
	KP_MIRROR='https://mirror.example.org/debian/'
	KP_PACKAGES='curl g++ libc6-dev'
	KP_CPUS='12'
	KP_MEMORY_MIB='98304'
	KP_MEMORY_GIB='96'
	KP_SYSTEM_GIB='30'
	KP_PLANNED_DATA_GIB='12.5'
	KP_DISK_MIB='56320'
	KP_DISK_BYTES='59055800320'
	KP_ARTIFACTS='ova iso'
	KP_ISO_COMPRESSION='xz'
	KP_QCOW2_COMPAT='0.10'
	KP_QCOW2_COMPRESS='true'
	KP_OVA_HARDWARE='vmx-11'
	KP_OVA_DIGEST='sha1'
	KP_OVA_FIRMWARE='efi'
	KP_OVA_DISK_CONTROLLER='sata'
	KP_OVA_NIC='e1000e'
	KP_OVA_PRODUCT='It'\''s \$(touch pwned) \`touch pwned\` "q" \\ ; a  b'
	KP_OVA_VENDOR='ACME & Co | <tag> #1'
	KP_OVA_URL='https://example.org/?a=1&b=2'
	KP_OVA_EULA='$d/eula.txt'
	KP_OVA_PROFILE='vmware-6.5'
	KP_CONTAINERS='web'
	KP_CONTAINER_ARCHIVES='$d/images/db.tar'
	KP_CONFIG_FILES='$d/appliance.yaml'
	KP_ARTIFACT_BASE='demo-1-2.0~rc1-amd64'
	EOF
}

# ---- command line ----

test_expect_success '--help groups the options by topic, --version names the tool' '
	"$TOOL" --help >help &&
	grep -x "Commands:" help && grep -x "Input:" help && grep -x "Output:" help &&
	grep -e "--containers-dir DIR" help &&
	test "$("$TOOL" --version)" = "kopanion-config 0.1.0"
'

test_expect_success 'usage mistakes exit 2' '
	for args in "" "frobnicate x.yaml" "plan" "check -o x $KP_ROOT/config/kopanion.yaml" \
		"plan --bogus x.yaml" "plan a.yaml b.yaml" "keys extra"; do
		rc=0; "$TOOL" $args 2>err || rc=$?
		echo "args [$args] -> $rc"; test "$rc" -eq 2
		grep -F "Try '\''kopanion-config --help'\''." err
	done
'

test_expect_success 'keys lists every key, each once, with type, default and allowed values' '
	"$TOOL" keys >keys &&
	cat >want <<-KEYS &&
	name
	version
	debian.suite
	debian.mirror
	debian.packages
	vm.cpus
	vm.memory_gib
	storage.system_gib
	storage.planned_data_gib
	image.artifacts
	image.iso_compression
	image.qcow2_compat
	image.qcow2_compress
	ova.hardware
	ova.digest
	ova.firmware
	ova.disk_controller
	ova.nic
	ova.product
	ova.vendor
	ova.url
	ova.eula
	ova.profile
	containers
	containers[].name
	containers[].archive
	KEYS
	grep -v "^ " keys | tail -n +2 | cut -d" " -f1 >got &&
	test_cmp want got &&
	grep -E "^vm\.cpus +integer +8 +an integer from 1 to 256$" keys &&
	grep -E "^image\.artifacts +list +\[iso, qcow2, ova\] +a list of iso, qcow2, ova, each once, at least one$" keys &&
	grep -E "^image\.iso_compression +enum +zstd +one of zstd, xz, gzip, lz4, lzo$" keys &&
	grep -E "^ova\.url +string +\"\" " keys &&
	grep -E "^ova\.hardware +string +\(ova\.profile\) +text matching vmx-4 \.\. vmx-21$" keys &&
	grep -E "^ova\.nic +enum +\(ova\.profile\) +one of vmxnet3, e1000, e1000e$" keys &&
	grep -E "^ova\.profile +enum +default +one of default, vmware-6.5, vmware-8, proxmox, virtualbox$" keys
'

# ---- the real description and the tiny profile ----

test_expect_success 'config/kopanion.yaml: 30 + 2 x 20 GiB = 71680 MiB, no warnings' '
	(cd "$KP_ROOT" && "$TOOL" plan -o "$TEST_TMP/plan" config/kopanion.yaml) 2>err &&
	test ! -s err &&
	expect_plan_value plan KP_DISK_MIB 71680 &&
	expect_plan_value plan KP_DISK_BYTES 75161927680 &&
	expect_plan_value plan KP_NAME kopanion &&
	expect_plan_value plan KP_ARTIFACT_BASE kopanion-0.1.0-amd64 &&
	expect_plan_value plan KP_CPUS 8 &&
	expect_plan_value plan KP_MEMORY_MIB 65536 &&
	expect_plan_value plan KP_CONFIG_FILES "$KP_ROOT/config/kopanion.yaml"
'

test_expect_success 'without ova keys, the target keys are unset (the profile decides) and ova.profile is default' '
	(cd "$KP_ROOT" && "$TOOL" plan -o "$TEST_TMP/plan" config/kopanion.yaml) &&
	for var in KP_OVA_HARDWARE KP_OVA_DIGEST KP_OVA_FIRMWARE KP_OVA_DISK_CONTROLLER KP_OVA_NIC; do
		expect_plan_value plan "$var" "" || exit 1
	done &&
	expect_plan_value plan KP_OVA_PROFILE default
'

test_expect_success 'ova.profile alone leaves the target keys unset; a key given beside it is kept' '
	printf "name: p\nversion: 1\nova:\n  profile: proxmox\n  nic: vmxnet3\n" >p.yaml &&
	"$TOOL" plan -o plan p.yaml &&
	expect_plan_value plan KP_OVA_PROFILE proxmox &&
	expect_plan_value plan KP_OVA_NIC vmxnet3 &&
	expect_plan_value plan KP_OVA_DISK_CONTROLLER "" &&
	expect_plan_value plan KP_OVA_HARDWARE ""
'

test_expect_success 'the tiny profile: 4096 MiB disk, warnings for CPUs and RAM, exit 0' '
	(cd "$KP_ROOT" && "$TOOL" plan --profile config/profiles/tiny.yaml -o "$TEST_TMP/plan" \
		config/kopanion.yaml) 2>err &&
	cat err &&
	grep -Fx "config/profiles/tiny.yaml:6:9: warning: vm.cpus: 2 is below the seed minimum of 8 CPUs; fine for tests, too small for production" err &&
	grep -Fx "config/profiles/tiny.yaml:7:15: warning: vm.memory_gib: 2 is below the seed minimum of 64 GiB; fine for tests, too small for production" err &&
	test "$(wc -l <err)" -eq 2 &&
	expect_plan_value plan KP_DISK_MIB 4096 &&
	expect_plan_value plan KP_DISK_BYTES 4294967296 &&
	expect_plan_value plan KP_NAME kopanion-tiny &&
	expect_plan_value plan KP_VERSION 0.1.0 &&
	expect_plan_value plan KP_ISO_COMPRESSION lz4 &&
	expect_plan_value plan KP_ARTIFACTS "iso qcow2 ova" &&
	expect_plan_value plan KP_CONFIG_FILES "$KP_ROOT/config/kopanion.yaml $KP_ROOT/config/profiles/tiny.yaml"
'

test_expect_success 'check validates without writing and reports the warnings' '
	(cd "$KP_ROOT" && "$TOOL" check --profile config/profiles/tiny.yaml config/kopanion.yaml) >out 2>err &&
	test "$(cat out)" = "config/kopanion.yaml: valid (2 warnings)" &&
	test "$(wc -l <err)" -eq 2
'

test_expect_success 'the plan on stdout is the plan written with -o' '
	"$TOOL" plan --containers-dir "$KP_ROOT/containers" -o file.plan "$KP_ROOT/config/kopanion.yaml" &&
	"$TOOL" plan --containers-dir "$KP_ROOT/containers" "$KP_ROOT/config/kopanion.yaml" >stdout.plan &&
	test_cmp file.plan stdout.plan
'

# ---- every key, and hostile strings ----

test_expect_success 'a description with every key gives exactly the expected plan' '
	write_full_config &&
	d=$(cd full && pwd -P) &&
	(cd full && "$TOOL" plan -o ../plan appliance.yaml) &&
	head -n 2 plan | grep -c "^# " | grep -x 2 &&
	expected_full_plan "$d" >want &&
	tail -n +3 plan >got &&
	test_cmp want got
'

test_expect_success 'the plan sources in bash and gives back hostile strings byte for byte' '
	write_full_config &&
	(cd full && "$TOOL" plan -o ../plan appliance.yaml) &&
	expect_plan_value plan KP_OVA_PRODUCT "It'\''s \$(touch pwned) \`touch pwned\` \"q\" \\ ; a  b" &&
	expect_plan_value plan KP_OVA_VENDOR "ACME & Co | <tag> #1" &&
	expect_plan_value plan KP_OVA_URL "https://example.org/?a=1&b=2" &&
	test ! -e pwned && test ! -e full/pwned
'

# ---- one error class per fixture: the exact line, exit 1, no plan ----

# shellcheck disable=SC2034 # $line is read by the body, which test_expect_success evals
while IFS='|' read -r fixture line; do
	test_expect_success "$fixture: exit 1, exact error, no plan" 'expect_config_error "$fixture" "$line"'
done <<'TABLE'
fail-unknown-key.yaml|fail-unknown-key.yaml:4:3: unknown key 'vm.cpu' (did you mean 'vm.cpus'?)
fail-unknown-section.yaml|fail-unknown-section.yaml:3:1: unknown key 'storrage' (did you mean 'storage'?)
fail-dotted-key.yaml|fail-dotted-key.yaml:3:1: unknown key 'vm.cpus'; write dotted keys nested ('vm:' with 'cpus:' indented below it)
fail-int-type.yaml|fail-int-type.yaml:4:9: vm.cpus: expected an integer from 1 to 256, got 'eight'
fail-int-quoted.yaml|fail-int-quoted.yaml:4:15: vm.memory_gib: expected an integer from 1 to 4096, got the quoted text '64'; remove the quotes
fail-list-type.yaml|fail-list-type.yaml:5:5: image.artifacts: expected a list of iso, qcow2, ova, each once, at least one, got a mapping
fail-section-type.yaml|fail-section-type.yaml:3:5: vm: expected a mapping of keys (indented below 'vm:'), got a single value
fail-range.yaml|fail-range.yaml:4:9: vm.cpus: 300 is out of range; give an integer from 1 to 256
fail-decimal.yaml|fail-decimal.yaml:4:21: storage.planned_data_gib: expected a number from 0 to 65536, at most 9 decimals (like 12.5), got '-1.5'
fail-decimal-range.yaml|fail-decimal-range.yaml:4:21: storage.planned_data_gib: 70000 is out of range; give a number from 0 to 65536, at most 9 decimals
fail-bool.yaml|fail-bool.yaml:4:19: image.qcow2_compress: expected true or false, got 'yes'
fail-enum.yaml|fail-enum.yaml:4:20: image.iso_compression: 'zst' is not one of zstd, xz, gzip, lz4, lzo (did you mean 'zstd'?)
fail-enum-list.yaml|fail-enum-list.yaml:4:20: image.artifacts[1]: 'vmdk' is not one of iso, qcow2, ova
fail-list-duplicate.yaml|fail-list-duplicate.yaml:4:27: image.artifacts[2]: 'iso' is listed twice; list each once
fail-list-empty.yaml|fail-list-empty.yaml:4:14: image.artifacts: the list is empty; give at least one of iso, qcow2, ova
fail-name.yaml|fail-name.yaml:1:7: name: 'Demo_Appliance' is not valid; it must match [a-z0-9][a-z0-9-]{0,40}
fail-version.yaml|fail-version.yaml:2:10: version: '1.0 beta' is not valid; it must match [0-9A-Za-z][0-9A-Za-z.+~-]{0,40}
fail-mirror.yaml|fail-mirror.yaml:4:11: debian.mirror: 'ftp://deb.debian.org/debian' is not valid; it must match http://... or https://...
fail-package.yaml|fail-package.yaml:4:20: debian.packages[1]: 'Vim' is not valid; it must match [a-z0-9][a-z0-9+.-]+
fail-vmx.yaml|fail-vmx.yaml:4:13: ova.hardware: 'vmx-22' is not valid; it must match vmx-4 .. vmx-21
fail-newline.yaml|fail-newline.yaml:4:12: ova.product: the value holds a newline or another control character; write it on one line
fail-missing-required.yaml|fail-missing-required.yaml:1:1: missing required key 'version'; add 'version: VALUE' at the top level (VALUE must match [0-9A-Za-z][0-9A-Za-z.+~-]{0,40})
fail-duplicate-key.yaml|fail-duplicate-key.yaml:5:3: duplicate key 'vm.cpus' (first given at line 4); keep only one
fail-empty.yaml|fail-empty.yaml:1:1: the file is empty; it needs at least 'name:' and 'version:' (see `kopanion-config keys`)
fail-syntax.yaml|fail-syntax.yaml:5:2: YAML syntax error: did not find expected key (while parsing a block mapping at line 1); check the indentation and quoting here
fail-alias.yaml|fail-alias.yaml:4:12: aliases ('*n') are not supported; write the value out in full
fail-tag.yaml|fail-tag.yaml:2:10: tags ('!!str') are not supported; write the plain value without a tag
fail-two-documents.yaml|fail-two-documents.yaml:3:1: a second YAML document ('---') is not supported; keep one document per file
fail-top-level.yaml|fail-top-level.yaml:1:1: the top level must be a mapping of keys (like 'name: kopanion'), not a list
fail-not-utf8.yaml|fail-not-utf8.yaml:4:14: the file is not valid UTF-8 (byte 0xe9: incomplete UTF-8 octet sequence); save it as UTF-8
fail-eula.yaml|fail-eula.yaml:4:9: ova.eula: cannot read 'no-such-eula.txt' (looked at 'no-such-eula.txt'): No such file or directory; paths are relative to the folder of fail-eula.yaml
fail-container-both.yaml|fail-container-both.yaml:4:5: containers[0]: give either 'name' or 'archive', not both
fail-container-recipe.yaml|fail-container-recipe.yaml:4:11: containers[0].name: no recipe 'nosuchrecipe' (looked for 'containers/nosuchrecipe/recipe.yaml'); create it, or point --containers-dir at the folder that holds it
fail-container-key.yaml|fail-container-key.yaml:4:5: unknown key 'containers[0].nmae' (did you mean 'containers[0].name'?)
fail-unreadable.yaml|fail-unreadable.yaml: cannot read the file: No such file or directory; check the path
TABLE

test_expect_success 'every fail-*.yaml fixture is tested in this file' '
	for f in "$FIXTURES"/fail-*.yaml; do
		grep -F "$(basename "$f")" "$KP_ROOT/tests/tools/t0100-config.sh" >/dev/null ||
			{ echo "no expectation for $f" >&2; exit 1; }
	done
'

test_expect_success 'all errors of a file are reported, then a one-line summary' '
	expect_config_error fail-many.yaml "fail-many.yaml:4:9: vm.cpus: 0 is out of range; give an integer from 1 to 256" &&
	cd "$FIXTURES" && rc=0 && "$TOOL" check fail-many.yaml 2>"$TEST_TMP/err" || rc=$?
	test "$rc" -eq 1 &&
	cat >"$TEST_TMP/want" <<-ERRORS &&
	fail-many.yaml:4:9: vm.cpus: 0 is out of range; give an integer from 1 to 256
	fail-many.yaml:5:15: vm.memory_gib: expected an integer from 1 to 4096, got '"'"'lots'"'"'
	fail-many.yaml:7:20: image.iso_compression: '"'"'bzip2'"'"' is not one of zstd, xz, gzip, lz4, lzo (did you mean '"'"'gzip'"'"'?)
	fail-many.yaml:9:8: ova.nic: '"'"'e1000x'"'"' is not one of vmxnet3, e1000, e1000e (did you mean '"'"'e1000'"'"'?)
	kopanion-config: error: fail-many.yaml: 4 errors
	ERRORS
	test_cmp "$TEST_TMP/want" "$TEST_TMP/err"
'

test_expect_success 'errors in the base and in a profile are all reported, each with its file' '
	cd "$FIXTURES" && rc=0 &&
	"$TOOL" check --profile fail-bool.yaml fail-int-type.yaml 2>"$TEST_TMP/err" || rc=$?
	test "$rc" -eq 1 &&
	cat >"$TEST_TMP/want" <<-ERRORS &&
	fail-int-type.yaml:4:9: vm.cpus: expected an integer from 1 to 256, got '"'"'eight'"'"'
	fail-bool.yaml:4:19: image.qcow2_compress: expected true or false, got '"'"'yes'"'"'
	kopanion-config: error: fail-int-type.yaml: 2 errors
	ERRORS
	test_cmp "$TEST_TMP/want" "$TEST_TMP/err"
'

test_expect_success 'an anchor and its alias are both rejected' '
	cd "$FIXTURES" && rc=0 && "$TOOL" check fail-alias.yaml 2>"$TEST_TMP/err" || rc=$?
	test "$rc" -eq 1 &&
	grep -Fx "fail-alias.yaml:1:7: anchors ('"'"'&n'"'"') are not supported; write the value out in full" "$TEST_TMP/err"
'

test_expect_success 'a directory is not a config file' '
	rc=0; "$TOOL" plan -o dir.plan "$FIXTURES" 2>err || rc=$?
	test "$rc" -eq 1 && test ! -e dir.plan &&
	grep -Fx "$FIXTURES: is a directory; give the path of a YAML file" err
'

test_expect_success 'a failed plan leaves an existing plan as it was' '
	echo "KP_OLD=1" >plan &&
	rc=0; (cd "$FIXTURES" && "$TOOL" plan -o "$TEST_TMP/plan" fail-range.yaml) 2>/dev/null || rc=$?
	test "$rc" -eq 1 && test "$(cat plan)" = "KP_OLD=1"
'

test_expect_success 'an output folder that is not there is an error, not a crash' '
	rc=0; "$TOOL" plan --containers-dir "$KP_ROOT/containers" -o no/such/dir/plan "$KP_ROOT/config/kopanion.yaml" 2>err || rc=$?
	test "$rc" -eq 1 && grep -F "kopanion-config: error: cannot create a temporary file beside '"'"'no/such/dir/plan'"'"'" err
'

test_expect_success 'container recipes come from --containers-dir' '
	write_full_config &&
	rc=0; (cd full && "$TOOL" check --containers-dir "$TEST_TMP/elsewhere" appliance.yaml) 2>err || rc=$?
	test "$rc" -eq 1 &&
	grep -Fx "appliance.yaml:30:11: containers[0].name: no recipe '"'"'web'"'"' (looked for '"'"'$TEST_TMP/elsewhere/web/recipe.yaml'"'"'); create it, or point --containers-dir at the folder that holds it" err &&
	mv full/containers elsewhere &&
	(cd / && "$TOOL" plan --containers-dir "$TEST_TMP/elsewhere" -o "$TEST_TMP/plan" "$TEST_TMP/full/appliance.yaml") &&
	expect_plan_value plan KP_CONTAINERS web
'

test_done
