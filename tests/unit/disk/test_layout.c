/* The disk layout, fstab text and inspect parsers, without an appliance. */
#include <string.h>

#include "inspect.h"
#include "layout.h"
#include "tap.h"
#include "target.h"

static void test_layout_fills_the_disk_on_mib_boundaries(void)
{
	struct kp_error err = { { 0 } };
	struct layout l;
	uint64_t end;
	size_t i;

	is_int(layout_plan(&l, 2048, 256, "kopanion", &err), 0, "a 2 GiB disk with a 256 MiB ESP is planned");
	is_int(l.n, 3, "three partitions: bios, esp, root");
	is_str(l.parts[0].type_guid, GPT_TYPE_BIOS_BOOT, "p1 is BIOS boot, where grub-install embeds core.img");
	is_int(l.parts[0].start_mib, 1, "p1 starts at 1 MiB, after the primary GPT");
	is_int(l.parts[0].size_mib, 1, "p1 is 1 MiB");
	is_str(l.parts[1].type_guid, GPT_TYPE_ESP, "p2 is the ESP");
	is_int(l.parts[1].size_mib, 256, "the ESP has --esp-mib");
	is_str(l.parts[1].fs_label, "EFI", "the ESP is labelled EFI");
	is_str(l.parts[2].type_guid, GPT_TYPE_ROOT_X86_64, "p3 is Linux root x86-64 (discoverable)");
	is_str(l.parts[2].fs_label, "kopanion", "the root label comes from --label");
	for (i = 1, end = l.parts[0].start_mib + l.parts[0].size_mib; i < l.n; i++) {
		is_int(l.parts[i].start_mib, end, "partition %zu follows the previous one, no gap", i + 1);
		end = l.parts[i].start_mib + l.parts[i].size_mib;
	}
	is_int(end, 2047, "the last MiB stays free for the backup GPT");
	is_str(l.parts[2].device, "/dev/sda3", "root is sda3 in the appliance");
	ok(layout_find(&l, "/boot/efi") == &l.parts[1], "the ESP is mounted at /boot/efi");
}

static void test_layout_refuses_a_disk_too_small(void)
{
	struct kp_error err = { { 0 } };
	struct layout l;

	ok(layout_plan(&l, 300, 256, "k", &err) < 0, "300 MiB cannot hold a 256 MiB ESP and a root");
	like_str(err.msg, "raise --size-mib", "the message says what to do");
	ok(layout_plan(&l, 2048, 8, "k", &err) < 0, "an 8 MiB ESP is refused");
	like_str(err.msg, "--esp-mib", "the message names the option");
}

static void test_fstab_uses_uuids(void)
{
	struct kp_error err = { { 0 } };
	struct layout l;
	char text[1024];

	layout_plan(&l, 2048, 256, "kopanion", &err);
	ok(target_fstab_text(&l, text, sizeof(text), &err) < 0, "no fstab before the filesystems have UUIDs");
	strcpy(l.parts[1].uuid, "ABCD-1234");
	strcpy(l.parts[2].uuid, "0b6f6d1c-1111-2222-3333-444455556666");
	is_int(target_fstab_text(&l, text, sizeof(text), &err), 0, "fstab text is made");
	like_str(text, "\nUUID=ABCD-1234 /boot/efi vfat umask=0077 0 2\n", "the ESP by UUID, private to root");
	like_str(text, "\nUUID=0b6f6d1c-1111-2222-3333-444455556666 / ext4 errors=remount-ro 0 1\nUUID=ABCD",
		 "the root by UUID, listed before what is mounted under it");
	ok(!strstr(text, "/dev/sd"), "no /dev/sdX anywhere (COMPAT 20)");
}

static void test_names_that_reach_a_shell_are_checked(void)
{
	ok(target_valid_package("live-boot"), "live-boot is a package name");
	ok(target_valid_package("libc6:amd64") && target_valid_package("g++"), "arch and + are allowed");
	ok(!target_valid_package("x;rm -rf /"), "shell syntax is not a package name");
	ok(!target_valid_package("Live"), "upper case is not a package name");
	ok(target_valid_hostname("kopanion-01"), "kopanion-01 is a host name");
	ok(!target_valid_hostname("-x") && !target_valid_hostname("a b") && !target_valid_hostname(""),
	   "leading dash, space and empty are not");
}

static void test_inspect_parsers(void)
{
	static const char status[] =
		"Package: live-boot\nStatus: install ok installed\nVersion: 1\n\n"
		"Package: live-config\nStatus: deinstall ok config-files\n\n"
		"Package: bash\nStatus: install ok installed\n\n"
		"Package: live-tools\nVersion: 2\nStatus: install ok installed\n";
	char *const cfg[] = {
		"menuentry 'Debian' {",
		"\tlinux\t/boot/vmlinuz-6.12 root=UUID=abc ro console=tty0 quiet ",
		"}",
		"\tlinux /boot/vmlinuz-old root=UUID=abc ro single",
		NULL,
	};
	char buf[256];

	inspect_live_packages(status, buf, sizeof(buf));
	is_str(buf, "live-boot live-tools", "installed live-* packages; purged ones (config-files) are not listed");
	inspect_live_packages("Package: bash\nStatus: install ok installed\n", buf, sizeof(buf));
	is_str(buf, "", "none when there is none");
	inspect_kernel_cmdline(cfg, buf, sizeof(buf));
	is_str(buf, "root=UUID=abc ro console=tty0 quiet", "the first linux line's arguments, without the kernel path");
}

int main(void)
{
	test_layout_fills_the_disk_on_mib_boundaries();
	test_layout_refuses_a_disk_too_small();
	test_fstab_uses_uuids();
	test_names_that_reach_a_shell_are_checked();
	test_inspect_parsers();
	return done_testing();
}
