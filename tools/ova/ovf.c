#include "ovf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct kp_ovf_namespace namespaces[] = {
	{ "", KP_OVF_NS_ENVELOPE },
	{ "ovf", KP_OVF_NS_ENVELOPE },
	{ "rasd", KP_OVF_NS_RASD },
	{ "vmw", KP_OVF_NS_VMW },
	{ "vssd", KP_OVF_NS_VSSD },
	{ "xsi", KP_OVF_NS_XSI },
};

const struct kp_ovf_namespace *kp_ovf_namespaces(size_t *count)
{
	*count = sizeof(namespaces) / sizeof(namespaces[0]);
	return namespaces;
}

int kp_ovf_capacity_units(uint64_t bytes, uint64_t *value, const char **units, struct kp_error *err)
{
	const uint64_t mib = UINT64_C(1) << 20, gib = UINT64_C(1) << 30;

	if (bytes == 0 || bytes % mib != 0)
		return kp_fail(err, EINVAL, "a disk's virtual size of %" PRIu64 " bytes is not a whole number of MiB; resize it (qemu-img resize) to a multiple of 1 MiB", bytes);
	if (bytes % gib == 0) {
		*value = bytes / gib;
		*units = "byte * 2^30";
	} else {
		*value = bytes / mib;
		*units = "byte * 2^20";
	}
	return 0;
}

/* The RASD elements we use, emitted in the schema's (alphabetical) order,
 * which ovftool checks. */
struct rasd {
	const char *address, *address_on_parent, *allocation_units, *automatic_allocation,
		*connection, *description, *element_name, *host_resource, *instance_id, *parent,
		*resource_subtype, *resource_type, *virtual_quantity;
};

static void item(struct kp_xml *x, const struct rasd *r)
{
	const struct { const char *tag, *value; } fields[] = {
		{ "rasd:Address", r->address },
		{ "rasd:AddressOnParent", r->address_on_parent },
		{ "rasd:AllocationUnits", r->allocation_units },
		{ "rasd:AutomaticAllocation", r->automatic_allocation },
		{ "rasd:Connection", r->connection },
		{ "rasd:Description", r->description },
		{ "rasd:ElementName", r->element_name },
		{ "rasd:HostResource", r->host_resource },
		{ "rasd:InstanceID", r->instance_id },
		{ "rasd:Parent", r->parent },
		{ "rasd:ResourceSubType", r->resource_subtype },
		{ "rasd:ResourceType", r->resource_type },
		{ "rasd:VirtualQuantity", r->virtual_quantity },
	};

	kp_xml_open(x, "Item", NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].value)
			kp_xml_text(x, fields[i].tag, NULL, fields[i].value);
	kp_xml_close(x, "Item");
}

static const struct controller_kind {
	const char *resource_type, *subtype, *description, *element_name;
	int skip_address_7; /* SCSI ID 7 is the controller itself */
} controllers[] = {
	[KP_OVA_LSILOGIC] = { "6", "lsilogic", "SCSI Controller", "SCSI Controller 0", 1 },
	[KP_OVA_SATA] = { "20", "vmware.sata.ahci", "SATA Controller", "SATA Controller 0", 0 },
	[KP_OVA_PVSCSI] = { "6", "VirtualSCSI", "SCSI Controller", "SCSI Controller 0", 1 },
};

static const char *const nic_subtypes[] = {
	[KP_OVA_VMXNET3] = "VmxNet3", [KP_OVA_E1000] = "E1000", [KP_OVA_E1000E] = "E1000e",
};

static void write_references(const struct kp_ovf *o, struct kp_xml *x)
{
	kp_xml_open(x, "References", NULL);
	for (size_t i = 0; i < o->ndisks; i++) {
		char id[32], size[32];
		snprintf(id, sizeof(id), "file%zu", i + 1);
		snprintf(size, sizeof(size), "%" PRIu64, o->disks[i].file_size);
		kp_xml_empty(x, "File", (const char *const[]){
			"ovf:href", o->disks[i].href, "ovf:id", id, "ovf:size", size, NULL });
	}
	kp_xml_close(x, "References");
}

static int write_disks(const struct kp_ovf *o, struct kp_xml *x, struct kp_error *err)
{
	kp_xml_open(x, "DiskSection", NULL);
	kp_xml_text(x, "Info", NULL, "Virtual disk information");
	for (size_t i = 0; i < o->ndisks; i++) {
		char id[32], file[32], cap[32];
		const char *units = NULL;
		uint64_t value = 0;
		int r = kp_ovf_capacity_units(o->disks[i].capacity_bytes, &value, &units, err);

		if (r < 0)
			return r;
		snprintf(id, sizeof(id), "vmdisk%zu", i + 1);
		snprintf(file, sizeof(file), "file%zu", i + 1);
		snprintf(cap, sizeof(cap), "%" PRIu64, value);
		kp_xml_empty(x, "Disk", (const char *const[]){
			"ovf:capacity", cap, "ovf:capacityAllocationUnits", units, "ovf:diskId", id,
			"ovf:fileRef", file, "ovf:format", KP_OVF_DISK_FORMAT, NULL });
	}
	kp_xml_close(x, "DiskSection");
	return 0;
}

static void write_network(struct kp_xml *x)
{
	kp_xml_open(x, "NetworkSection", NULL);
	kp_xml_text(x, "Info", NULL, "The list of logical networks");
	kp_xml_open(x, "Network", (const char *const[]){ "ovf:name", KP_OVF_NETWORK, NULL });
	kp_xml_text(x, "Description", NULL, "The " KP_OVF_NETWORK " network");
	kp_xml_close(x, "Network");
	kp_xml_close(x, "NetworkSection");
}

static void write_product(const struct kp_ovf *o, struct kp_xml *x)
{
	kp_xml_open(x, "ProductSection", NULL);
	kp_xml_text(x, "Info", NULL, "Information about the installed software");
	kp_xml_text(x, "Product", NULL, o->product);
	if (o->vendor)
		kp_xml_text(x, "Vendor", NULL, o->vendor);
	kp_xml_text(x, "Version", NULL, o->version);
	kp_xml_text(x, "FullVersion", NULL, o->full_version);
	if (o->url)
		kp_xml_text(x, "ProductUrl", NULL, o->url);
	kp_xml_close(x, "ProductSection");
	if (o->eula) {
		kp_xml_open(x, "EulaSection", NULL);
		kp_xml_text(x, "Info", NULL, "An end-user license agreement");
		kp_xml_text(x, "License", NULL, o->eula);
		kp_xml_close(x, "EulaSection");
	}
}

static void write_os(const struct kp_ovf *o, struct kp_xml *x)
{
	kp_xml_open(x, "OperatingSystemSection", (const char *const[]){
		"ovf:id", KP_OVF_OS_DEBIAN_64, "vmw:osType", o->os_type, NULL });
	kp_xml_text(x, "Info", NULL, "The kind of installed guest operating system");
	kp_xml_text(x, "Description", NULL, "Debian GNU/Linux (64-bit)");
	kp_xml_close(x, "OperatingSystemSection");
}

static void write_hardware(const struct kp_ovf *o, struct kp_xml *x)
{
	const struct controller_kind *c = &controllers[o->controller];
	char cpus[32], cpus_name[64], mem[32], mem_name[64], id[32];
	unsigned instance = 1, controller_id, address = 0;

	kp_xml_open(x, "VirtualHardwareSection", NULL);
	kp_xml_text(x, "Info", NULL, "Virtual hardware requirements");
	kp_xml_open(x, "System", NULL);
	kp_xml_text(x, "vssd:ElementName", NULL, "Virtual Hardware Family");
	kp_xml_text(x, "vssd:InstanceID", NULL, "0");
	kp_xml_text(x, "vssd:VirtualSystemIdentifier", NULL, o->name);
	kp_xml_text(x, "vssd:VirtualSystemType", NULL, o->hardware);
	kp_xml_close(x, "System");

	snprintf(cpus, sizeof(cpus), "%u", o->cpus);
	snprintf(cpus_name, sizeof(cpus_name), "%u virtual CPU(s)", o->cpus);
	snprintf(id, sizeof(id), "%u", instance++);
	item(x, &(struct rasd){ .allocation_units = "hertz * 10^6", .description = "Number of Virtual CPUs",
				.element_name = cpus_name, .instance_id = id, .resource_type = "3",
				.virtual_quantity = cpus });

	snprintf(mem, sizeof(mem), "%" PRIu64, o->memory_mib);
	snprintf(mem_name, sizeof(mem_name), "%" PRIu64 " MiB of memory", o->memory_mib);
	snprintf(id, sizeof(id), "%u", instance++);
	item(x, &(struct rasd){ .allocation_units = "byte * 2^20", .description = "Memory Size",
				.element_name = mem_name, .instance_id = id, .resource_type = "4",
				.virtual_quantity = mem });

	controller_id = instance++;
	snprintf(id, sizeof(id), "%u", controller_id);
	item(x, &(struct rasd){ .address = "0", .description = c->description, .element_name = c->element_name,
				.instance_id = id, .resource_subtype = c->subtype, .resource_type = c->resource_type });

	for (size_t i = 0; i < o->ndisks; i++, address++) {
		char parent[32], host[64], name[32], addr[16];
		if (c->skip_address_7 && address == 7)
			address++;
		snprintf(parent, sizeof(parent), "%u", controller_id);
		snprintf(host, sizeof(host), "ovf:/disk/vmdisk%zu", i + 1);
		snprintf(name, sizeof(name), "Hard disk %zu", i + 1);
		snprintf(addr, sizeof(addr), "%u", address);
		snprintf(id, sizeof(id), "%u", instance++);
		item(x, &(struct rasd){ .address_on_parent = addr, .element_name = name, .host_resource = host,
					.instance_id = id, .parent = parent, .resource_type = "17" });
	}

	snprintf(id, sizeof(id), "%u", instance++);
	item(x, &(struct rasd){ .automatic_allocation = "true", .connection = KP_OVF_NETWORK,
				.description = "Ethernet adapter on \"" KP_OVF_NETWORK "\"",
				.element_name = "Network adapter 1", .instance_id = id,
				.resource_subtype = nic_subtypes[o->nic], .resource_type = "10" });

	/* VMware's way to ask for UEFI; no BootOrderSection is ever written,
	 * since an imported VM has no NVRAM entry for it to refer to. */
	kp_xml_empty(x, "vmw:Config", (const char *const[]){
		"ovf:required", "false", "vmw:key", "firmware",
		"vmw:value", kp_ova_firmware_name(o->firmware), NULL });
	kp_xml_close(x, "VirtualHardwareSection");
}

int kp_ovf_write(const struct kp_ovf *o, struct kp_xml *x, struct kp_error *err)
{
	const char *env_attrs[2 * (sizeof(namespaces) / sizeof(namespaces[0])) + 1];
	char names[sizeof(namespaces) / sizeof(namespaces[0])][32];
	size_t n = 0;
	int r;

	if (o->ndisks == 0 || o->ndisks > KP_OVF_MAX_DISKS)
		return kp_fail(err, EINVAL, "an appliance needs 1 to %d disks, not %zu", KP_OVF_MAX_DISKS, o->ndisks);
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "xmlns%s%s", namespaces[i].prefix[0] ? ":" : "", namespaces[i].prefix);
		env_attrs[n++] = names[i];
		env_attrs[n++] = namespaces[i].uri;
	}
	env_attrs[n] = NULL;

	kp_xml_declaration(x);
	kp_xml_open(x, "Envelope", env_attrs);
	write_references(o, x);
	r = write_disks(o, x, err);
	if (r < 0)
		return r;
	write_network(x);
	/* A fixed id: the name (with spaces, &) lives in <Name>; ids are references. */
	kp_xml_open(x, "VirtualSystem", (const char *const[]){ "ovf:id", "vm", NULL });
	kp_xml_text(x, "Info", NULL, "A virtual machine");
	kp_xml_text(x, "Name", NULL, o->name);
	write_product(o, x);
	write_os(o, x);
	write_hardware(o, x);
	kp_xml_close(x, "VirtualSystem");
	kp_xml_close(x, "Envelope");
	return kp_xml_finish(x, err);
}
