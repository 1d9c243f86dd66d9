/* The descriptor's values (COMPAT 1, 4, 5, 6, 8): asserted on the text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovf.h"
#include "tap.h"

static char *render(struct kp_ovf *o)
{
	struct kp_xml x;
	struct kp_error err = { { 0 } };

	kp_xml_init(&x);
	if (kp_ovf_write(o, &x, &err) < 0) {
		printf("# %s\n", err.msg);
		kp_xml_free(&x);
		return NULL;
	}
	return x.buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int main(void)
{
	struct kp_ovf_disk disks[2] = {
		{ "a-disk1.vmdk", UINT64_C(9663676417), UINT64_C(10) << 30 },
		{ "a-disk2.vmdk", 65536, UINT64_C(64) << 20 },
	};
	struct kp_ovf o = {
		.name = "Kopanion", .product = "Kopanion & Friends", .vendor = "K\"o'", .version = "1.0",
		.full_version = "1.0.0+git", .url = "https://example.org/?a=1&b=2", .eula = "Use <freely>.",
		.cpus = 8, .memory_mib = 65536, .hardware = "vmx-13", .firmware = KP_OVA_BIOS,
		.controller = KP_OVA_LSILOGIC, .nic = KP_OVA_VMXNET3, .os_type = "debian12_64Guest",
		.disks = disks, .ndisks = 2,
	};
	struct kp_error err = { { 0 } };
	char *t = render(&o);

	if (!ok(t != NULL, "descriptor rendered"))
		return done_testing();
	like_str(t, "<Envelope xmlns=\"" KP_OVF_NS_ENVELOPE "\" xmlns:ovf=\"" KP_OVF_NS_ENVELOPE "\" xmlns:rasd=\"" KP_OVF_NS_RASD
		    "\" xmlns:vmw=\"" KP_OVF_NS_VMW "\" xmlns:vssd=\"" KP_OVF_NS_VSSD "\" xmlns:xsi=\"" KP_OVF_NS_XSI "\">",
		 "all prefixes declared on <Envelope>, OVF 1.0 namespace");
	is_int(count(t, "xmlns"), 6, "each namespace declared exactly once, nowhere else");
	like_str(t, "<File ovf:href=\"a-disk1.vmdk\" ovf:id=\"file1\" ovf:size=\"9663676417\"/>", "ovf:size above 4 GiB is written in full (64-bit)");
	like_str(t, "<Disk ovf:capacity=\"10\" ovf:capacityAllocationUnits=\"byte * 2^30\" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\" ovf:format=\"" KP_OVF_DISK_FORMAT "\"/>",
		 "disk 1: 10 GiB in byte * 2^30, streamOptimized format");
	like_str(t, "ovf:capacity=\"64\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"vmdisk2\"", "disk 2: 64 MiB in byte * 2^20");
	ok(!strstr(t, "MegaBytes") && !strstr(t, "GigaBytes"), "never MegaBytes/GigaBytes");
	like_str(t, "<vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>", "hardware family as configured");
	like_str(t, "<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n        <rasd:Description>Memory Size</rasd:Description>", "memory in byte * 2^20");
	like_str(t, "<rasd:ResourceType>4</rasd:ResourceType>\n        <rasd:VirtualQuantity>65536</rasd:VirtualQuantity>", "memory item: type 4, 65536 MiB");
	like_str(t, "<rasd:ResourceType>3</rasd:ResourceType>\n        <rasd:VirtualQuantity>8</rasd:VirtualQuantity>", "CPU item: type 3, 8 vCPU");
	like_str(t, "<rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>\n        <rasd:ResourceType>6</rasd:ResourceType>", "LSI Logic controller: type 6");
	like_str(t, "<rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>\n        <rasd:ResourceType>10</rasd:ResourceType>", "vmxnet3 NIC: type 10");
	like_str(t, "<rasd:Connection>VM Network</rasd:Connection>", "NIC on VM Network");
	like_str(t, "<Network ovf:name=\"VM Network\">", "one network, VM Network");
	is_int(count(t, "<Network "), 1, "exactly one network");
	like_str(t, "<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>", "second disk item refers to vmdisk2");
	like_str(t, "<rasd:AddressOnParent>1</rasd:AddressOnParent>", "second disk at address 1");
	like_str(t, "<OperatingSystemSection ovf:id=\"96\" vmw:osType=\"debian12_64Guest\">", "Debian 64-bit (CIM 96) and the VMware guest id");
	like_str(t, "<Product>Kopanion &amp; Friends</Product>", "product with & escaped");
	like_str(t, "<Vendor>K&quot;o&apos;</Vendor>", "vendor with quotes escaped");
	like_str(t, "<Version>1.0</Version>\n      <FullVersion>1.0.0+git</FullVersion>", "version and full version");
	like_str(t, "<ProductUrl>https://example.org/?a=1&amp;b=2</ProductUrl>", "product URL escaped");
	like_str(t, "<License>Use &lt;freely&gt;.</License>", "EULA text escaped in EulaSection");
	like_str(t, "<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"bios\"/>", "BIOS firmware stated");
	ok(!strstr(t, "BootOrderSection"), "no BootOrderSection");
	free(t);

	o.firmware = KP_OVA_EFI;
	o.controller = KP_OVA_SATA;
	o.nic = KP_OVA_E1000;
	o.eula = NULL;
	o.vendor = NULL;
	t = render(&o);
	like_str(t, "<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>", "EFI the VMware way");
	ok(!strstr(t, "BootOrderSection"), "EFI: no BootOrderSection");
	like_str(t, "<rasd:ResourceSubType>vmware.sata.ahci</rasd:ResourceSubType>\n        <rasd:ResourceType>20</rasd:ResourceType>", "SATA AHCI controller: type 20");
	like_str(t, "<rasd:ResourceSubType>E1000</rasd:ResourceSubType>", "E1000 NIC");
	ok(!strstr(t, "EulaSection") && !strstr(t, "<Vendor>"), "optional sections left out when not given");
	free(t);

	o.controller = KP_OVA_PVSCSI;
	o.nic = KP_OVA_E1000E;
	t = render(&o);
	like_str(t, "<rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>\n        <rasd:ResourceType>6</rasd:ResourceType>", "PVSCSI controller");
	like_str(t, "<rasd:ResourceSubType>E1000e</rasd:ResourceSubType>", "E1000e NIC");
	free(t);

	disks[1].capacity_bytes = (UINT64_C(64) << 20) + 512;
	{
		struct kp_xml x;
		kp_xml_init(&x);
		ok(kp_ovf_write(&o, &x, &err) < 0, "a disk that is not a whole MiB is refused");
		kp_xml_free(&x);
	}
	return done_testing();
}
