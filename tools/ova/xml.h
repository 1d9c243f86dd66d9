/* The one place XML text is made and read.
 *
 * Writer: every element and attribute of the OVF descriptor goes through
 * these functions, so escaping (& < > " ') cannot be forgotten at a call
 * site. Output is indented by two spaces per level, LF line ends, and has
 * no timestamps: the same model gives the same bytes.
 *
 * Reader: a small tag scanner, enough for `verify` to see element names,
 * attributes and namespace declarations without pulling in an XML library. */
#ifndef KP_OVA_XML_H
#define KP_OVA_XML_H

#include <stddef.h>

#include "error.h"

struct kp_xml {
	char *buf;
	size_t len, cap;
	int depth;
	int failed; /* an allocation failed; kp_xml_finish reports it */
};

/* Attributes are passed as a NULL-terminated list of name, value pairs;
 * a pair whose value is NULL is skipped (optional attributes). */
void kp_xml_init(struct kp_xml *x);
void kp_xml_free(struct kp_xml *x);
void kp_xml_declaration(struct kp_xml *x);
void kp_xml_open(struct kp_xml *x, const char *tag, const char *const *attrs);
void kp_xml_close(struct kp_xml *x, const char *tag);
void kp_xml_empty(struct kp_xml *x, const char *tag, const char *const *attrs);
/* <tag attrs>text</tag> on one line. */
void kp_xml_text(struct kp_xml *x, const char *tag, const char *const *attrs, const char *text);
/* 0, or -ENOMEM if any append failed. */
int kp_xml_finish(struct kp_xml *x, struct kp_error *err);

/* Escape s for use in text or in a double- or single-quoted attribute.
 * Returns the length written (without NUL), or the needed length if it does
 * not fit in out_size (like snprintf). */
size_t kp_xml_escape(const char *s, char *out, size_t out_size);

/* --- reader ------------------------------------------------------------- */

#define KP_XML_NAME_MAX 128
#define KP_XML_VALUE_MAX 2048
#define KP_XML_ATTRS_MAX 32

struct kp_xml_attr {
	char name[KP_XML_NAME_MAX];
	char value[KP_XML_VALUE_MAX]; /* entities already decoded */
};

struct kp_xml_tag {
	char name[KP_XML_NAME_MAX];
	int closing;      /* </name> */
	int self_closing; /* <name/> */
	size_t nattrs;
	struct kp_xml_attr attrs[KP_XML_ATTRS_MAX];
	size_t line;      /* 1-based line of the '<' */
};

/* Next element tag at or after *pos in text[0..len); comments, processing
 * instructions, DOCTYPE and CDATA are skipped. Returns 1 with *tag filled,
 * 0 at the end, or -EINVAL (err says where) on malformed markup. */
int kp_xml_next_tag(const char *text, size_t len, size_t *pos, struct kp_xml_tag *tag,
		    struct kp_error *err);
/* Value of attribute name, or NULL. */
const char *kp_xml_attr(const struct kp_xml_tag *tag, const char *name);

#endif
