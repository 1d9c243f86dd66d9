#!/bin/bash
# kopanion-ova: the OVA read by real consumers (tar, qemu-img, xmllint,
# sha*sum) and by our own verifier, which must also catch broken copies.
. "$(dirname "$0")/../lib.sh"

OVA=$KP_BIN/kopanion-ova
export GOLDEN=$KP_ROOT/tests/tools/ova
test -x "$OVA" || test_skip_all "build/bin/kopanion-ova not built (run make)"
test_require_cmd qemu-img qemu-utils
test_require_cmd xmllint libxml2-utils

# create OUT.ova [flags...]: the default appliance values plus the flags.
create() {
	local out=$1
	shift
	"$OVA" create -o "$out" --name Kopanion --version 1.0.0 --cpus 8 --memory-mib 65536 "$@"
}

# u32le FILE OFFSET: a little-endian 32-bit field.
u32le() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# repack OUT MEMBERS...: a ustar archive of files in the given order.
repack() {
	local out=$1
	shift
	tar --format=ustar --owner=0 --group=0 --numeric-owner -cf "$out" "$@"
}

# extract OVA DIR
extract() { mkdir -p "$2" && tar -xf "$1" -C "$2"; }

test_expect_success 'setup: a 64 MiB raw disk with a partition table, converted by qemu-img' '
	truncate -s 64M raw.img &&
	if command -v sfdisk >/dev/null; then
		printf "label: gpt\n,32M\n" | sfdisk -q raw.img
	fi &&
	printf "KOPANION" | dd of=raw.img bs=1 seek=1048576 conv=notrunc status=none &&
	qemu-img convert -O vmdk -o subformat=streamOptimized raw.img disk1.vmdk &&
	test -s disk1.vmdk
'

test_expect_success 'qemu-img writes VMDK header version 3 with KDMV magic for streamOptimized (COMPAT 7)' '
	test "$(head -c 4 disk1.vmdk)" = KDMV &&
	test "$(u32le disk1.vmdk 4)" = 3 &&
	head -c 4096 disk1.vmdk | grep -a -q "createType=\"streamOptimized\""
'

test_expect_success 'create: default target' '
	create kp.ova --disk disk1.vmdk --vendor "Kopanion & Co" --url "https://example.org/kopanion" &&
	test -f kp.ova && ! ls .kp.ova.* 2>/dev/null
'

test_expect_success 'tar: members .ovf, .mf, then the disk, plain names, root 0644 (COMPAT 3)' '
	tar -tf kp.ova >names &&
	printf "kp.ovf\nkp.mf\ndisk1.vmdk\n" >expect &&
	test_cmp expect names &&
	tar -tvf kp.ova >long &&
	test "$(grep -c "^-rw-r--r-- root/root " long)" = 3
'

test_expect_success 'tar: every header is POSIX ustar (magic ustar\\0 00), none GNU, no pax' '
	test "$(head -c 265 kp.ova | tail -c 8 | od -An -c | tr -s " ")" = " u s t a r \\0 0 0" &&
	test "$(LC_ALL=C grep -obUaP "ustar\\x0000" kp.ova | wc -l)" = 3 &&
	test "$(LC_ALL=C grep -obUaP "ustar  \\x00" kp.ova | wc -l)" = 0 &&
	! LC_ALL=C grep -qaF PaxHeader kp.ova
'

test_expect_success 'tar mtimes follow SOURCE_DATE_EPOCH; two builds are byte-identical' '
	mkdir r1 r2 &&
	SOURCE_DATE_EPOCH=1700000000 create r1/kp.ova --disk disk1.vmdk &&
	SOURCE_DATE_EPOCH=1700000000 create r2/kp.ova --disk disk1.vmdk &&
	cmp r1/kp.ova r2/kp.ova &&
	TZ=UTC tar -tv --full-time -f r1/kp.ova >t &&
	test "$(grep -c " 2023-11-14 22:13:20 " t)" = 3 &&
	TZ=UTC tar -tv --full-time -f kp.ova >t0 &&
	test "$(grep -c " 1970-01-01 00:00:00 " t0)" = 3
'

test_expect_success 'manifest: exact SHA256 lines, LF-terminated, none for itself; digests match sha256sum (COMPAT 2)' '
	extract kp.ova x &&
	test "$(wc -l <x/kp.mf)" = 2 &&
	test "$(tail -c 1 x/kp.mf | od -An -c | tr -d " ")" = "\\n" &&
	! grep -q "kp.mf" x/kp.mf &&
	! grep -q $(printf "\\r") x/kp.mf &&
	printf "SHA256(kp.ovf)= %s\nSHA256(disk1.vmdk)= %s\n" \
		"$(sha256sum <x/kp.ovf | cut -d" " -f1)" "$(sha256sum <x/disk1.vmdk | cut -d" " -f1)" >expect &&
	test_cmp expect x/kp.mf
'

for alg in sha1 sha512; do
	test_expect_success "manifest: --digest $alg lines match ${alg}sum" '
		create m-'$alg'.ova --disk disk1.vmdk --digest '$alg' &&
		extract m-'$alg'.ova m-'$alg' && cd m-'$alg' &&
		label=$(echo '$alg' | tr a-z A-Z) &&
		printf "%s(m-'$alg'.ovf)= %s\n%s(disk1.vmdk)= %s\n" \
			"$label" "$('$alg'sum <m-'$alg'.ovf | cut -d" " -f1)" \
			"$label" "$('$alg'sum <disk1.vmdk | cut -d" " -f1)" >../expect-'$alg' &&
		test_cmp ../expect-'$alg' m-'$alg'.mf &&
		"$OVA" verify ../m-'$alg'.ova
	'
done

test_expect_success 'descriptor: well-formed XML, OVF 1.0 namespaces declared once on Envelope (COMPAT 5)' '
	xmllint --noout x/kp.ovf &&
	test "$(grep -o "xmlns" x/kp.ovf | wc -l)" = 6 &&
	grep -q "^<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\" xmlns:vmw=\"http://www.vmware.com/schema/ovf\" xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\$" x/kp.ovf &&
	test "$(xmllint --xpath "count(//*[namespace::*])" x/kp.ovf)" -ge 1
'

test_expect_success 'descriptor: hardware, memory, CPU, devices, OS and product values (COMPAT 1, 4, 8, 9)' '
	grep -qF "<vssd:VirtualSystemType>vmx-11</vssd:VirtualSystemType>" x/kp.ovf &&
	grep -qF "<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>" x/kp.ovf &&
	grep -qF "<rasd:VirtualQuantity>65536</rasd:VirtualQuantity>" x/kp.ovf &&
	grep -qF "<rasd:VirtualQuantity>8</rasd:VirtualQuantity>" x/kp.ovf &&
	grep -qF "<rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>" x/kp.ovf &&
	grep -qF "<rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>" x/kp.ovf &&
	grep -qF "<OperatingSystemSection ovf:id=\"96\" vmw:osType=\"debian8_64Guest\">" x/kp.ovf &&
	grep -qF "<Network ovf:name=\"VM Network\">" x/kp.ovf &&
	grep -qF "<Vendor>Kopanion &amp; Co</Vendor>" x/kp.ovf &&
	test "$(xmllint --xpath "string(//*[local-name()=\"Vendor\"])" x/kp.ovf)" = "Kopanion & Co" &&
	grep -qF "<ProductUrl>https://example.org/kopanion</ProductUrl>" x/kp.ovf &&
	grep -qF "<FullVersion>1.0.0</FullVersion>" x/kp.ovf &&
	grep -qF "vmw:key=\"firmware\" vmw:value=\"bios\"" x/kp.ovf &&
	! grep -q "MegaBytes" x/kp.ovf
'

test_expect_success 'descriptor: ovf:size is the VMDK file length (COMPAT 4)' '
	grep -qF "<File ovf:href=\"disk1.vmdk\" ovf:id=\"file1\" ovf:size=\"$(stat -c %s disk1.vmdk)\"/>" x/kp.ovf &&
	test "$(stat -c %s x/disk1.vmdk)" = "$(stat -c %s disk1.vmdk)"
'

test_expect_success 'qemu-img reads the extracted VMDK: streamOptimized, virtual size = OVF capacity (COMPAT 4, 7)' '
	qemu-img info --output=json x/disk1.vmdk >info.json &&
	grep -q "\"format\": \"vmdk\"" info.json &&
	grep -q "\"create-type\": \"streamOptimized\"" info.json &&
	vsize=$(sed -n "s/^    \"virtual-size\": \\([0-9]*\\),/\\1/p" info.json) &&
	test "$vsize" = 67108864 &&
	grep -qF "<Disk ovf:capacity=\"64\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>" x/kp.ovf &&
	test $((64 * 1048576)) = "$vsize" &&
	qemu-img check x/disk1.vmdk &&
	qemu-img compare -f raw -F vmdk raw.img x/disk1.vmdk
'

test_expect_success 'a 10 GiB disk gets capacity 10 in byte * 2^30' '
	qemu-img create -q -f vmdk -o subformat=streamOptimized big.vmdk 10G &&
	create big.ova --disk big.vmdk &&
	tar -xOf big.ova big.ovf | grep -qF "ovf:capacity=\"10\" ovf:capacityAllocationUnits=\"byte * 2^30\"" &&
	"$OVA" verify big.ova
'

test_expect_success 'two disks follow <References> order in the tar' '
	cp disk1.vmdk disk2.vmdk &&
	create two.ova --disk disk2.vmdk --disk disk1.vmdk &&
	printf "two.ovf\ntwo.mf\ndisk2.vmdk\ndisk1.vmdk\n" >expect &&
	tar -tf two.ova >names && test_cmp expect names &&
	tar -xOf two.ova two.ovf | grep -o "ovf:href=\"[^\"]*\"" >refs &&
	printf "ovf:href=\"disk2.vmdk\"\novf:href=\"disk1.vmdk\"\n" >expect && test_cmp expect refs &&
	"$OVA" verify two.ova
'

test_expect_success 'golden: descriptor and manifest from the fixture VMDK are byte-exact' '
	cp "$GOLDEN/fixture-64m.vmdk" kopanion-1.0.0-disk1.vmdk &&
	SOURCE_DATE_EPOCH=0 "$OVA" create -o golden-default.ova --name Kopanion --version 1.0.0 \
		--cpus 8 --memory-mib 65536 --disk kopanion-1.0.0-disk1.vmdk \
		--vendor "Kopanion Project" --url "https://kopanion.example" &&
	extract golden-default.ova g &&
	test_cmp "$GOLDEN/golden-default.ovf" g/golden-default.ovf &&
	test_cmp "$GOLDEN/golden-default.mf" g/golden-default.mf
'

test_expect_success 'descriptor command writes the same .ovf as the one inside the OVA' '
	"$OVA" descriptor -o golden-default.ovf --name Kopanion --version 1.0.0 \
		--cpus 8 --memory-mib 65536 --disk kopanion-1.0.0-disk1.vmdk \
		--vendor "Kopanion Project" --url "https://kopanion.example" &&
	cmp golden-default.ovf g/golden-default.ovf
'

test_expect_success 'EFI (vmware-8): vmw:Config firmware efi, no BootOrderSection, vmx-20, PVSCSI (COMPAT 6)' '
	create efi.ova --disk disk1.vmdk --target vmware-8 &&
	tar -xOf efi.ova efi.ovf >efi.ovf &&
	grep -qF "<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>" efi.ovf &&
	! grep -q BootOrderSection efi.ovf &&
	grep -qF "<vssd:VirtualSystemType>vmx-20</vssd:VirtualSystemType>" efi.ovf &&
	grep -qF "<rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>" efi.ovf &&
	xmllint --noout efi.ovf
'

test_expect_success 'targets: each profile sets its values, each result verifies' '
	for t in default:vmx-11:lsilogic:VmxNet3 vmware-6.5:vmx-13:lsilogic:VmxNet3 \
		vmware-8:vmx-20:VirtualSCSI:VmxNet3 proxmox:vmx-13:vmware.sata.ahci:E1000 \
		virtualbox:vmx-11:vmware.sata.ahci:E1000; do
		IFS=: read -r name hw ctl nic <<-EOT
		$t
		EOT
		create "t-$name.ova" --disk disk1.vmdk --target "$name" &&
		tar -xOf "t-$name.ova" "t-$name.ovf" >"t-$name.ovf" &&
		grep -qF ">$hw<" "t-$name.ovf" &&
		grep -qF "<rasd:ResourceSubType>$ctl</rasd:ResourceSubType>" "t-$name.ovf" &&
		grep -qF "<rasd:ResourceSubType>$nic</rasd:ResourceSubType>" "t-$name.ovf" &&
		"$OVA" verify "t-$name.ova" >/dev/null || { echo "target $name"; exit 1; }
	done
'

test_expect_success 'explicit flags override the profile' '
	create o.ova --disk disk1.vmdk --target proxmox --hardware vmx-14 --nic vmxnet3 --firmware efi --digest sha512 --os-type debian12_64Guest &&
	tar -xOf o.ova o.ovf >o.ovf &&
	grep -qF ">vmx-14<" o.ovf && grep -qF ">VmxNet3<" o.ovf && grep -qF "vmw:value=\"efi\"" o.ovf &&
	grep -qF ">vmware.sata.ahci<" o.ovf && grep -qF "vmw:osType=\"debian12_64Guest\"" o.ovf &&
	tar -xOf o.ova o.mf | grep -q "^SHA512(o.ovf)= "
'

test_expect_success 'target: prints the profile'"'"'s values, with flags overriding single ones' '
	"$OVA" target --target proxmox --nic vmxnet3 >t &&
	printf "target=proxmox\nhardware=vmx-13\ndigest=sha256\nfirmware=bios\ndisk_controller=sata\nnic=vmxnet3\nos_type=debian12_64Guest\n" >expect &&
	test_cmp expect t &&
	"$OVA" target >t && grep -qx "target=default" t && grep -qx "hardware=vmx-11" t &&
	test_must_fail "$OVA" target --target esx3 2>err && grep -q "unknown target .esx3." err
'

test_expect_success 'ova.profile in kopanion-config offers exactly the targets of this tool' '
	test -x "$KP_BIN/kopanion-config" || { echo "kopanion-config not built"; exit 1; }
	"$KP_BIN/kopanion-config" keys | sed -n "s/^ova\.profile  *enum  *[^ ]*  *one of //p" >config-targets &&
	"$OVA" --help | sed -n "s/^      --target NAME  *//p" >ova-targets &&
	test -s ova-targets && test_cmp ova-targets config-targets
'

# run_stage_ova PROFILE NIC [CPUS]: lib/artifacts.sh's stage_ova on raw.img
# with a plan that sets ova.profile and ova.nic (empty: unset) and nothing
# else, in its own bash with errexit as build.sh runs it; the artifact is
# images/st.ova.
run_stage_ova() {
	mkdir -p work images && cp raw.img work/disk.raw &&
		KP_WORK=$TEST_TMP/work KP_IMAGES=$TEST_TMP/images KP_ARTIFACT_BASE=st \
			KP_NAME=st KP_VERSION=1.0 KP_CPUS=${3:-2} KP_MEMORY_MIB=2048 KP_OVA_EULA='' KP_OVA_URL='' \
			KP_OVA_PRODUCT=St KP_OVA_VENDOR=St KP_OVA_PROFILE="$1" KP_OVA_NIC="$2" \
			KP_OVA_HARDWARE='' KP_OVA_DIGEST='' KP_OVA_FIRMWARE='' KP_OVA_DISK_CONTROLLER='' \
			bash -euo pipefail -c '. "$1/lib/artifacts.sh" && stage_ova' _ "$KP_ROOT"
}

test_expect_success 'stage_ova: ova.profile takes effect; only the keys the plan sets override it' '
	run_stage_ova proxmox "" >log && tar -xOf images/st.ova st.ovf >st.ovf &&
	grep -qx "disk_controller=sata" work/ova.target &&
	grep -qF ">vmx-13<" st.ovf && grep -qF ">vmware.sata.ahci<" st.ovf && grep -qF ">E1000<" st.ovf &&
	grep -qF "vmw:osType=\"debian12_64Guest\"" st.ovf &&
	tar -xOf images/st.ova st-disk1.vmdk | head -c 4096 | grep -aq "ddb.adapterType = \"ide\"" &&
	run_stage_ova proxmox vmxnet3 >log && tar -xOf images/st.ova st.ovf >st.ovf &&
	grep -qF ">VmxNet3<" st.ovf && grep -qF ">vmware.sata.ahci<" st.ovf
'

test_expect_success 'stage_ova: the OVA is verified, then published whole; nothing else is left' '
	grep -q "^OK: .*work/st.ova: 3 members (ustar)" log &&
	grep -q "^published .*/images/st.ova (" log &&
	test "$(ls -A images)" = st.ova &&
	test "$(ls -A work)" = "disk.raw
ova.target"
'

test_expect_success 'stage_ova: a failure (unknown target, then a bad CPU count) leaves the published OVA as it was' '
	cp images/st.ova before.ova &&
	test_must_fail run_stage_ova esx3 "" >log 2>&1 &&
	grep -q "unknown target .esx3." log &&
	test_must_fail run_stage_ova default "" 0 >log 2>&1 &&
	grep -q -- "--cpus .0." log &&
	cmp before.ova images/st.ova &&
	test "$(ls -A images)" = st.ova
'

# target_value TARGET KEY: what `kopanion-ova target` resolves TARGET's KEY to.
target_value() { "$OVA" target --target "$1" | sed -n "s/^$2=//p"; }

# v2v_source_expect TARGET: virt-v2v reads an OVA made for TARGET (parsing
# only, --print-source: no conversion, no appliance) and sees the memory,
# vCPUs, firmware, disk bus and NIC model that the target sets.
v2v_source_expect() {
	local t=$1 fw bus
	create "v-$t.ova" --disk disk1.vmdk --target "$t" || return 1
	if ! virt-v2v -i ova "v-$t.ova" --print-source </dev/null >"v-$t.txt" 2>&1; then
		cat "v-$t.txt"
		return 1
	fi
	fw=$(target_value "$t" firmware) && fw=${fw/efi/uefi}
	case $(target_value "$t" disk_controller) in sata) bus=sata ;; *) bus=scsi ;; esac
	cat "v-$t.txt" &&
		grep -Eq "^ +memory: $((65536 * 1048576)) \(bytes\)\$" "v-$t.txt" &&
		grep -Eq "^ +nr vCPUs: 8\$" "v-$t.txt" &&
		grep -Eq "^ +firmware: $fw\$" "v-$t.txt" &&
		grep -Eq "^.0 \[$bus\]\$" "v-$t.txt" &&
		grep -Eq "\[$(target_value "$t" nic)\]\$" "v-$t.txt"
}

for t in default vmware-6.5 vmware-8 proxmox virtualbox; do
	if command -v virt-v2v >/dev/null && command -v nbdkit >/dev/null; then
		test_expect_success "virt-v2v --print-source reads the $t target: memory, vCPUs, firmware, bus, NIC" "
			v2v_source_expect $t
		"
	else
		test_skip "virt-v2v reads the $t target" "virt-v2v or nbdkit not installed (Debian packages virt-v2v, nbdkit; 'make deps')"
	fi
done

test_expect_success 'verify passes our OVA with a one-line OK summary' '
	"$OVA" verify kp.ova >out &&
	test "$(wc -l <out)" = 1 &&
	grep -q "^OK: kp.ova: 3 members (ustar), SHA256 manifest, 1 disk(s), 64 MiB virtual\$" out
'

test_expect_success 'verify fails on a wrong digest' '
	rm -rf v && extract kp.ova v && cd v &&
	sed -i "s/\\(SHA256(disk1.vmdk)= \\).\\{8\\}/\\100000000/" kp.mf &&
	repack ../bad-digest.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-digest.ova 2>err &&
	grep -q "SHA256 of .disk1.vmdk. is .*but the manifest says 00000000" err
'

test_expect_success 'verify fails on reordered members' '
	cd v && repack ../bad-order.ova kp.mf kp.ovf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-order.ova 2>err &&
	grep -q "the first member is .kp.mf.; it must be the .ovf descriptor" err
'

test_expect_success 'verify fails on pax headers' '
	rm -rf p && extract kp.ova p && cd p &&
	tar --format=pax -cf ../bad-pax.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	LC_ALL=C grep -qaF PaxHeaders bad-pax.ova &&
	test_must_fail "$OVA" verify bad-pax.ova 2>err &&
	grep -q "member .kp.ovf. has a pax extended header" err
'

test_expect_success 'verify fails on a missing manifest line' '
	rm -rf m && extract kp.ova m && cd m &&
	sed -i "/disk1.vmdk/d" kp.mf &&
	repack ../bad-mf.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-mf.ova 2>err &&
	grep -q "the manifest has no line for .disk1.vmdk." err
'

test_expect_success 'verify fails on a capacity that does not match the VMDK, and on MegaBytes' '
	rm -rf c && extract kp.ova c && cd c &&
	sed -i "s/ovf:capacity=\"64\"/ovf:capacity=\"65\"/" kp.ovf &&
	repack ../bad-cap.ova kp.ovf kp.mf disk1.vmdk &&
	sed -i "s/ovf:capacity=\"65\" ovf:capacityAllocationUnits=\"byte \\* 2^20\"/ovf:capacity=\"64\" ovf:capacityAllocationUnits=\"MegaBytes\"/" kp.ovf &&
	grep -q MegaBytes kp.ovf &&
	repack ../bad-units.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-cap.ova 2>err &&
	grep -q "capacity is 68157440 bytes, but the VMDK .disk1.vmdk. holds 67108864 bytes" err &&
	test_must_fail "$OVA" verify bad-units.ova 2>err &&
	grep -q "in \"MegaBytes\"; write \"byte \\* 2^20\"" err
'

test_expect_success 'verify fails on a namespace declared again and on a wrong ovf:size' '
	rm -rf n && extract kp.ova n && cd n &&
	sed -i "0,/<Item>/s//<Item xmlns:rasd=\"http:\\/\\/schemas.dmtf.org\\/wbem\\/wscim\\/1\\/cim-schema\\/2\\/CIM_ResourceAllocationSettingData\">/" kp.ovf &&
	sed -i "s/ovf:size=\"[0-9]*\"/ovf:size=\"1\"/" kp.ovf &&
	repack ../bad-ns.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-ns.ova 2>err &&
	grep -q "declares xmlns:rasd again on <Item>" err &&
	grep -q "says .disk1.vmdk. is 1 bytes, but the member is" err
'

test_expect_success 'verify fails on a VMDK whose header is not version 3' '
	rm -rf h && extract kp.ova h && cd h &&
	printf "\\001" | dd of=disk1.vmdk bs=1 seek=4 conv=notrunc status=none &&
	test "$(u32le disk1.vmdk 4)" = 1 &&
	repack ../bad-ver.ova kp.ovf kp.mf disk1.vmdk && cd .. &&
	test_must_fail "$OVA" verify bad-ver.ova 2>err &&
	grep -q "VMDK header version 1" err
'

test_expect_success 'create refuses a non-VMDK disk and leaves no output, not even a temporary' '
	test_must_fail create fail.ova --disk raw.img 2>err &&
	grep -q "is not a usable VMDK" err &&
	! ls fail.ova .fail.ova.* 2>/dev/null
'

test_expect_success 'create refuses a monolithicSparse VMDK (not stream-optimized)' '
	qemu-img convert -O vmdk raw.img sparse.vmdk &&
	test_must_fail create fail.ova --disk sparse.vmdk 2>err &&
	grep -q "not \"streamOptimized\"" err && ! test -e fail.ova
'

test_expect_success 'usage: exit 2 on bad or missing flags, 0 on --help and --version' '
	test_expect_code() { local want=$1 rc=0; shift; "$@" >/dev/null 2>&1 || rc=$?; test "$rc" = "$want"; } &&
	test_expect_code 2 "$OVA" &&
	test_expect_code 2 "$OVA" create -o a.ova --disk disk1.vmdk &&
	test_expect_code 2 "$OVA" create --bogus &&
	test_expect_code 2 "$OVA" frobnicate &&
	test_expect_code 2 create a.ova --disk disk1.vmdk --cpus 0 &&
	test_expect_code 1 create a.ova --disk disk1.vmdk --target esx3 &&
	test_expect_code 2 "$OVA" verify &&
	test_expect_code 0 "$OVA" --help &&
	test_expect_code 0 "$OVA" create --help &&
	"$OVA" --help | grep -q "^Target (a profile sets all of these" &&
	"$OVA" --version | grep -q "^kopanion-ova [0-9]"
'

test_done
