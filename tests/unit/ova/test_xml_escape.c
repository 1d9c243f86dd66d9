/* The descriptor's text and attributes go through one escaping emitter:
 * a product name with & or quotes must survive into well-formed XML. */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "xml.h"

static void escape_covers_the_five_special_characters(void)
{
	char out[128];
	size_t n = kp_xml_escape("a&b<c>d\"e'f", out, sizeof(out));

	is_str(out, "a&amp;b&lt;c&gt;d&quot;e&apos;f", "all five XML specials are escaped");
	is_int(n, 31, "escape reports the escaped length");
	n = kp_xml_escape("R&D", out, 4);
	is_int(n, 7, "escape reports the needed length when the buffer is short (snprintf-like)");
	is_str(out, "R&a", "a short buffer is still NUL-terminated");
	kp_xml_escape("plain ASCII, UTF-8 \xc3\xa9", out, sizeof(out));
	is_str(out, "plain ASCII, UTF-8 \xc3\xa9", "ordinary text and UTF-8 pass through untouched");
}

static void emitter_writes_exact_bytes(void)
{
	struct kp_xml x;
	struct kp_error err = { { 0 } };

	kp_xml_init(&x);
	kp_xml_open(&x, "ProductSection", (const char *const[]){ "ovf:class", "a\"b", "ovf:skip", NULL, NULL });
	kp_xml_text(&x, "Product", NULL, "Kopanion & <Co>");
	kp_xml_empty(&x, "vmw:Config", (const char *const[]){ "vmw:value", "it's", NULL });
	kp_xml_close(&x, "ProductSection");
	is_int(kp_xml_finish(&x, &err), 0, "emitter finishes");
	is_str(x.buf,
	       "<ProductSection ovf:class=\"a&quot;b\">\n"
	       "  <Product>Kopanion &amp; &lt;Co&gt;</Product>\n"
	       "  <vmw:Config vmw:value=\"it&apos;s\"/>\n"
	       "</ProductSection>\n",
	       "elements, attributes and text are escaped and indented; NULL-valued attributes are left out");
	kp_xml_free(&x);
}

static void scanner_reads_back_what_the_emitter_wrote(void)
{
	const char *doc = "<?xml version=\"1.0\"?>\n<!-- c -->\n<E xmlns:a='u' a:x=\"R&amp;D &quot;q&quot; &#65;\">\n<a:F/></E>";
	struct kp_xml_tag *t = malloc(sizeof(*t));
	struct kp_error err = { { 0 } };
	size_t pos = 0;

	is_int(kp_xml_next_tag(doc, strlen(doc), &pos, t, &err), 1, "first tag found past declaration and comment");
	is_str(t->name, "E", "root element name");
	is_str(kp_xml_attr(t, "a:x"), "R&D \"q\" A", "entities in attribute values are decoded");
	is_str(kp_xml_attr(t, "xmlns:a"), "u", "single-quoted attribute read");
	is_int(t->line, 3, "line number of the tag");
	is_int(kp_xml_next_tag(doc, strlen(doc), &pos, t, &err), 1, "second tag");
	ok(t->self_closing && !strcmp(t->name, "a:F"), "self-closing prefixed element");
	is_int(kp_xml_next_tag(doc, strlen(doc), &pos, t, &err), 1, "closing tag");
	ok(t->closing, "closing tag flagged");
	is_int(kp_xml_next_tag(doc, strlen(doc), &pos, t, &err), 0, "end of document");
	pos = 0;
	is_int(kp_xml_next_tag("<E a=\"1\" a=\"2\"/>", 16, &pos, t, &err), -EINVAL, "a repeated attribute is malformed XML");
	pos = 0;
	ok(kp_xml_next_tag("<E a=1/>", 8, &pos, t, &err) < 0, "an unquoted attribute is malformed XML");
	like_str(err.msg, "line 1", "the error names the line");
	free(t);
}

int main(void)
{
	escape_covers_the_five_special_characters();
	emitter_writes_exact_bytes();
	scanner_reads_back_what_the_emitter_wrote();
	return done_testing();
}
