#include "xml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void kp_xml_init(struct kp_xml *x)
{
	memset(x, 0, sizeof(*x));
}

void kp_xml_free(struct kp_xml *x)
{
	free(x->buf);
	memset(x, 0, sizeof(*x));
}

static void append(struct kp_xml *x, const char *s, size_t n)
{
	if (x->failed)
		return;
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *nb;

		while (x->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(x->buf, cap);
		if (!nb) {
			x->failed = 1;
			return;
		}
		x->buf = nb;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, s, n);
	x->len += n;
	x->buf[x->len] = '\0';
}

static void append_str(struct kp_xml *x, const char *s)
{
	append(x, s, strlen(s));
}

static const char *entity_for(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	}
	return NULL;
}

size_t kp_xml_escape(const char *s, char *out, size_t out_size)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *ent = entity_for(*s);
		size_t k = ent ? strlen(ent) : 1;

		if (out && n + k < out_size)
			memcpy(out + n, ent ? ent : s, k);
		n += k;
	}
	if (out && out_size)
		out[n < out_size ? n : out_size - 1] = '\0';
	return n;
}

static void append_escaped(struct kp_xml *x, const char *s)
{
	for (; *s; s++) {
		const char *ent = entity_for(*s);

		if (ent)
			append_str(x, ent);
		else
			append(x, s, 1);
	}
}

static void indent(struct kp_xml *x)
{
	for (int i = 0; i < x->depth; i++)
		append(x, "  ", 2);
}

static void start_tag(struct kp_xml *x, const char *tag, const char *const *attrs)
{
	indent(x);
	append(x, "<", 1);
	append_str(x, tag);
	for (size_t i = 0; attrs && attrs[i]; i += 2) {
		if (!attrs[i + 1])
			continue;
		append(x, " ", 1);
		append_str(x, attrs[i]);
		append(x, "=\"", 2);
		append_escaped(x, attrs[i + 1]);
		append(x, "\"", 1);
	}
}

void kp_xml_declaration(struct kp_xml *x)
{
	append_str(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void kp_xml_open(struct kp_xml *x, const char *tag, const char *const *attrs)
{
	start_tag(x, tag, attrs);
	append(x, ">\n", 2);
	x->depth++;
}

void kp_xml_close(struct kp_xml *x, const char *tag)
{
	x->depth--;
	indent(x);
	append(x, "</", 2);
	append_str(x, tag);
	append(x, ">\n", 2);
}

void kp_xml_empty(struct kp_xml *x, const char *tag, const char *const *attrs)
{
	start_tag(x, tag, attrs);
	append(x, "/>\n", 3);
}

void kp_xml_text(struct kp_xml *x, const char *tag, const char *const *attrs, const char *text)
{
	start_tag(x, tag, attrs);
	append(x, ">", 1);
	append_escaped(x, text);
	append(x, "</", 2);
	append_str(x, tag);
	append(x, ">\n", 2);
}

int kp_xml_finish(struct kp_xml *x, struct kp_error *err)
{
	if (x->failed)
		return kp_fail(err, ENOMEM, "out of memory while writing the OVF descriptor");
	if (!x->buf)
		append(x, "", 0);
	return x->failed ? kp_fail(err, ENOMEM, "out of memory while writing the OVF descriptor") : 0;
}

/* --- reader ------------------------------------------------------------- */

static size_t line_at(const char *text, size_t pos)
{
	size_t line = 1;

	for (size_t i = 0; i < pos; i++)
		line += text[i] == '\n';
	return line;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_char(char c)
{
	return c && !is_space(c) && !strchr("<>/=\"'!?", c);
}

/* Decode the five predefined entities and numeric ASCII references. */
static int decode(const char *s, size_t n, char *out, size_t out_size)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		char c = s[i];
		size_t used = 1;

		if (c == '&') {
			size_t k;
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t el = strlen(ents[k].ent);
				if (i + el <= n && memcmp(s + i, ents[k].ent, el) == 0) {
					c = ents[k].c;
					used = el;
					break;
				}
			}
			if (k == sizeof(ents) / sizeof(ents[0])) {
				const char *semi = memchr(s + i, ';', n - i);
				if (!semi || s[i + 1] != '#')
					return -1;
				c = (char)strtol(s + i + 2 + (s[i + 2] == 'x'), NULL, s[i + 2] == 'x' ? 16 : 10);
				used = (size_t)(semi - (s + i)) + 1;
			}
		}
		if (o + 1 >= out_size)
			return -1;
		out[o++] = c;
		i += used;
	}
	out[o] = '\0';
	return 0;
}

static int skip_markup(const char *text, size_t len, size_t *pos, const char *open, const char *close)
{
	size_t ol = strlen(open);
	const char *end;

	if (*pos + ol > len || memcmp(text + *pos, open, ol) != 0)
		return 0;
	end = memmem(text + *pos + ol, len - *pos - ol, close, strlen(close));
	if (!end)
		return -1;
	*pos = (size_t)(end - text) + strlen(close);
	return 1;
}

static int bad(struct kp_error *err, const char *text, size_t pos, const char *what)
{
	return kp_fail(err, EINVAL, "line %zu: %s", line_at(text, pos), what);
}

int kp_xml_next_tag(const char *text, size_t len, size_t *pos, struct kp_xml_tag *tag,
		    struct kp_error *err)
{
	static const char *const skips[][2] = {
		{ "<!--", "-->" }, { "<?", "?>" }, { "<![CDATA[", "]]>" }, { "<!", ">" },
	};
	size_t p = *pos;

	for (;;) {
		const char *lt = memchr(text + p, '<', len - p);
		int skipped = 0;

		if (!lt) {
			*pos = len;
			return 0;
		}
		p = (size_t)(lt - text);
		for (size_t k = 0; k < sizeof(skips) / sizeof(skips[0]) && !skipped; k++) {
			int r = skip_markup(text, len, &p, skips[k][0], skips[k][1]);
			if (r < 0)
				return bad(err, text, p, "unterminated comment or declaration");
			skipped = r;
		}
		if (!skipped)
			break;
	}

	memset(tag, 0, sizeof(*tag));
	tag->line = line_at(text, p);
	p++;
	if (p < len && text[p] == '/') {
		tag->closing = 1;
		p++;
	}
	{
		size_t s = p;
		while (p < len && is_name_char(text[p]))
			p++;
		if (p == s || p - s >= KP_XML_NAME_MAX)
			return bad(err, text, s, "element name missing or too long");
		memcpy(tag->name, text + s, p - s);
	}
	for (;;) {
		size_t ns, vs;
		char q;

		while (p < len && is_space(text[p]))
			p++;
		if (p >= len)
			return bad(err, text, p, "unterminated tag");
		if (text[p] == '>') {
			p++;
			break;
		}
		if (text[p] == '/' && p + 1 < len && text[p + 1] == '>') {
			tag->self_closing = 1;
			p += 2;
			break;
		}
		if (tag->closing)
			return bad(err, text, p, "unexpected text in a closing tag");
		if (tag->nattrs == KP_XML_ATTRS_MAX)
			return bad(err, text, p, "too many attributes on one element");
		ns = p;
		while (p < len && is_name_char(text[p]))
			p++;
		if (p == ns || p - ns >= KP_XML_NAME_MAX)
			return bad(err, text, ns, "attribute name missing or too long");
		memcpy(tag->attrs[tag->nattrs].name, text + ns, p - ns);
		while (p < len && is_space(text[p]))
			p++;
		if (p >= len || text[p] != '=')
			return bad(err, text, p, "attribute without '='");
		p++;
		while (p < len && is_space(text[p]))
			p++;
		if (p >= len || (text[p] != '"' && text[p] != '\''))
			return bad(err, text, p, "attribute value not quoted");
		q = text[p++];
		vs = p;
		while (p < len && text[p] != q)
			p++;
		if (p >= len)
			return bad(err, text, vs, "unterminated attribute value");
		if (decode(text + vs, p - vs, tag->attrs[tag->nattrs].value, KP_XML_VALUE_MAX) < 0)
			return bad(err, text, vs, "attribute value too long or with an unknown entity");
		for (size_t i = 0; i < tag->nattrs; i++)
			if (strcmp(tag->attrs[i].name, tag->attrs[tag->nattrs].name) == 0)
				return bad(err, text, ns, "attribute given twice on one element");
		tag->nattrs++;
		p++;
	}
	*pos = p;
	return 1;
}

const char *kp_xml_attr(const struct kp_xml_tag *tag, const char *name)
{
	for (size_t i = 0; i < tag->nattrs; i++)
		if (strcmp(tag->attrs[i].name, name) == 0)
			return tag->attrs[i].value;
	return NULL;
}
