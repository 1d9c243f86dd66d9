/* The OVF 1.0 descriptor: a small model of the appliance and the one
 * function that writes it through the XML emitter.
 *
 * OVF 1.0 (envelope namespace http://schemas.dmtf.org/ovf/envelope/1) is
 * chosen over 2.x because it is what every consumer reads: ESXi/ovftool,
 * VirtualBox, virt-v2v, and Proxmox's importer, which registers only the
 * 1.0 namespace and would find nothing in a 2.0 envelope. */
#ifndef KP_OVA_OVF_H
#define KP_OVA_OVF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "profile.h"
#include "xml.h"

#define KP_OVF_NS_ENVELOPE "http://schemas.dmtf.org/ovf/envelope/1"
#define KP_OVF_NS_RASD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
#define KP_OVF_NS_VSSD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
#define KP_OVF_NS_VMW "http://www.vmware.com/schema/ovf"
#define KP_OVF_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define KP_OVF_DISK_FORMAT "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
/* CIM_OperatingSystem OsType 96 is "Debian 64-Bit". */
#define KP_OVF_OS_DEBIAN_64 "96"
#define KP_OVF_NETWORK "VM Network"
#define KP_OVF_MAX_DISKS 15

/* Prefix -> namespace, each declared once on <Envelope>. */
struct kp_ovf_namespace {
	const char *prefix; /* "" is the default namespace */
	const char *uri;
};
const struct kp_ovf_namespace *kp_ovf_namespaces(size_t *count);

struct kp_ovf_disk {
	const char *href;        /* member name in the OVA */
	uint64_t file_size;      /* ovf:size: bytes of the VMDK file */
	uint64_t capacity_bytes; /* virtual size from the VMDK header */
};

struct kp_ovf {
	const char *name;
	const char *product;
	const char *vendor;       /* optional */
	const char *version;      /* ProductSection Version */
	const char *full_version; /* ProductSection FullVersion */
	const char *url;          /* optional */
	const char *eula;         /* optional license text */
	unsigned cpus;
	uint64_t memory_mib;
	const char *hardware;     /* vmx-NN */
	enum kp_ova_firmware firmware;
	enum kp_ova_controller controller;
	enum kp_ova_nic nic;
	const char *os_type;      /* vmw:osType */
	const struct kp_ovf_disk *disks;
	size_t ndisks;
};

/* Largest exact unit for a disk: byte * 2^30 when divisible, else
 * byte * 2^20; a size that is not a whole MiB is refused (COMPAT 4, 11). */
int kp_ovf_capacity_units(uint64_t bytes, uint64_t *value, const char **units, struct kp_error *err);

/* Writes the whole descriptor into x (after kp_xml_init). */
int kp_ovf_write(const struct kp_ovf *ovf, struct kp_xml *x, struct kp_error *err);

#endif
