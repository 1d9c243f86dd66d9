#!/usr/bin/env bash
# COMPAT 3 and 4 at full size: an OVA whose disk member is over 8 GiB. The
# archive switches from ustar to GNU tar (ustar's octal size field ends at
# 8 GiB - 1 byte; pax is never used), and ovf:size carries the 64-bit length.
# Read back by GNU tar, Python's tarfile and our verifier.
#
# The disk is a real stream-optimized VMDK from qemu-img, extended with a
# hole to 9 GiB + 512 bytes: kopanion-ova reads only the VMDK's header, and
# the hole keeps the input cheap. The OVA itself is written in full (about
# 9 GiB of disk for a minute) and removed at the end.
. "$(dirname "$0")/../lib.sh"

OVA=$KP_BIN/kopanion-ova
test -x "$OVA" || test_skip_all "build/bin/kopanion-ova not built (run make)"
test_require_cmd qemu-img qemu-utils
test_require_cmd xmllint libxml2-utils
test_require_cmd python3 python3

GIB=$((1024 * 1024 * 1024))
DISK_BYTES=$((9 * GIB + 512))
export DISK_BYTES

# header_field OVA INDEX OFFSET LENGTH: bytes of the INDEX'th (0-based) tar
# header, as Python's tarfile finds it.
header_field() {
	python3 - "$@" <<'PY'
import sys, tarfile
path, index, off, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with tarfile.open(path) as t:
    m = t.getmembers()[index]
with open(path, 'rb') as f:
    f.seek(m.offset + off)
    sys.stdout.write(f.read(length).hex())
PY
}

test_expect_success 'setup: a stream-optimized VMDK extended by a hole to 9 GiB + 512 bytes' '
	truncate -s 64M raw.img &&
	qemu-img convert -O vmdk -o subformat=streamOptimized raw.img big-disk1.vmdk &&
	truncate -s "$DISK_BYTES" big-disk1.vmdk &&
	test "$(stat -c %s big-disk1.vmdk)" = "$DISK_BYTES"
'

test_expect_success 'create writes the OVA, with the full 9 GiB member' '
	start=$SECONDS &&
	"$OVA" create -o big.ova --name Big --version 1.0 --cpus 8 --memory-mib 65536 --disk big-disk1.vmdk &&
	echo "create took $((SECONDS - start))s for $(stat -c %s big.ova) bytes" &&
	test "$(stat -c %s big.ova)" -gt "$DISK_BYTES"
'

test_expect_success 'GNU tar lists the members in order with the exact 64-bit size' '
	tar -tvf big.ova >list &&
	cat list &&
	test "$(awk "{print \$6}" list | tr "\n" " ")" = "big.ovf big.mf big-disk1.vmdk " &&
	test "$(awk "NR == 3 {print \$3}" list)" = "$DISK_BYTES"
'

test_expect_success 'the headers are GNU (magic "ustar  \0"), the big size in base-256, no pax' '
	for i in 0 1 2; do
		test "$(header_field big.ova $i 257 8)" = 7573746172202000 || { echo "member $i: not GNU"; exit 1; }
	done &&
	size=$(header_field big.ova 2 124 12) &&
	echo "size field: $size" &&
	test "$size" = "$(printf "80%022x" "$DISK_BYTES")" &&
	python3 -c "import sys, tarfile; t = tarfile.open(sys.argv[1]); sys.exit(any(m.pax_headers for m in t) or [m.size for m in t][2] != int(sys.argv[2]))" big.ova "$DISK_BYTES"
'

test_expect_success 'ovf:size is the member length in full (above 4 GiB); capacity is the VMDK virtual size' '
	tar -xOf big.ova big.ovf >big.ovf &&
	test "$(xmllint --xpath "string(//*[local-name()=\"File\"]/@*[local-name()=\"size\"])" big.ovf)" = "$DISK_BYTES" &&
	test "$(xmllint --xpath "string(//*[local-name()=\"Disk\"]/@*[local-name()=\"capacity\"])" big.ovf)" = 64 &&
	grep -qF "ovf:capacityAllocationUnits=\"byte * 2^20\"" big.ovf
'

test_expect_success 'verify passes it and names the GNU dialect; the member is the input byte for byte' '
	"$OVA" verify big.ova >out && cat out &&
	grep -q "^OK: big.ova: 3 members (GNU tar)" out &&
	tar -xOf big.ova big-disk1.vmdk | cmp - big-disk1.vmdk
'

test_expect_success 'cleanup: the 9 GiB files go' '
	rm -f big.ova big-disk1.vmdk
'

test_done
