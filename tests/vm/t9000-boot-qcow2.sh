#!/usr/bin/env bash
# The tiny appliance's qcow2 boots under SeaBIOS and under OVMF (empty NVRAM),
# runs its self-test (system up with no failed units, docker active on ext4,
# a DHCP lease, machine-id and SSH host keys made on first boot, root by UUID,
# root grown to the disk, the preloaded images in Docker, the mta container
# healthy and answering SMTP) and prints a PASS verdict. The guest has no
# outside network; the host reaches its sshd and its Postfix through forwarded
# ports, and the two instances have different host keys.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$KP_ROOT/tests/vm/lib-vm.sh"

vm_require_artifact qcow2 QCOW2
# The tag the mta recipe gives its image: the one the guest must have loaded.
MTA_TAG=$("$KP_BIN/kopanion-image" recipe "$KP_ROOT/containers/mta/recipe.yaml" | awk -F '\t' '$1 == "tag" { print $2; exit }')
[ -n "$MTA_TAG" ] || test_skip_all "no tag in containers/mta/recipe.yaml (is build/bin/kopanion-image built?)"
export MTA_TAG

# Each boot gets an overlay 1 GiB larger than the image, to see the root grow.
boot_overlay() {
	mkdir -p "$1" && vm_overlay "$QCOW2" qcow2 "$1/disk.qcow2" 1024
}

# verdict_field DIR KEY: KEY's value in the guest's verdict line (KEY=VALUE words).
verdict_field() { vm_verdict "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

test_expect_success 'the qcow2 is a qcow2 of the planned size' '
	qemu-img info --output=json "$QCOW2" >info.json &&
	test "$(jq -r .format info.json)" = qcow2 &&
	test "$(jq -r ".[\"virtual-size\"]" info.json)" = "$(( $(plan_value KP_DISK_MIB) * 1024 * 1024 ))" &&
	test "$(jq -r ".[\"format-specific\"].data.compat" info.json)" = "$(plan_value KP_QCOW2_COMPAT)"
'

for fw in bios uefi; do
	test_expect_success "boots under $fw to a PASS verdict" "
		boot_overlay $fw &&
		vm_boot $fw/disk.qcow2 qcow2 $fw $fw &&
		vm_expect_pass $fw installed
	"
	test_expect_success "under $fw the host reached sshd through the forwarded port" "
		grep -q 'ssh-ed25519 ' $fw/ssh-keyscan
	"
	test_expect_success "under $fw the preloaded mta image was loaded offline, runs healthy, answers SMTP inside" "
		vm_verdict $fw &&
		test \"\$(verdict_field $fw checks)\" = 10 &&
		test \"\$(verdict_field $fw images)\" = \"\$MTA_TAG\" &&
		verdict_field $fw images_load_s | grep -Eqx '[0-9]+(\.[0-9]+)?'
	"
	test_expect_success "under $fw the host spoke SMTP to the guest's Postfix through the forwarded port" "
		cat $fw/smtp &&
		grep -Eq '^220 .*ESMTP Postfix' $fw/smtp &&
		grep -q '^250-' $fw/smtp &&
		grep -q '^250 ' $fw/smtp
	"
done

test_expect_success 'each instance made its own SSH host key' '
	test -s bios/ssh-keyscan && test -s uefi/ssh-keyscan &&
	test "$(cut -d" " -f3 bios/ssh-keyscan)" != "$(cut -d" " -f3 uefi/ssh-keyscan)"
'

test_expect_success 'the image itself stayed untouched (first-boot state)' '
	qemu-img check "$QCOW2" &&
	test "$(qemu-img info --output=json "$QCOW2" | jq -r ".[\"backing-filename\"]")" = null
'

test_done
