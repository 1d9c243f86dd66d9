#include "yaml_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "strbuf.h"

#define MAX_DEPTH 32

struct frame {
	struct kp_node *node;
	struct kp_node *pending_key; /* mappings: key read, value not yet */
};

struct builder {
	struct kp_arena *arena;
	const char *file;
	const char *buf;
	size_t len;
	struct kp_diags *diags;
	struct frame stack[MAX_DEPTH];
	int depth;
	struct kp_node *root;
	int documents;
};

static struct kp_mark mark_of(const struct builder *b, yaml_mark_t m)
{
	struct kp_mark mark = { b->file, m.line + 1, m.column + 1 };
	return mark;
}

/* libyaml's reader errors carry a byte offset only; editors want line and
 * column (counted in characters, as libyaml counts them elsewhere). */
static struct kp_mark mark_at_offset(const struct builder *b, size_t offset)
{
	struct kp_mark mark = { b->file, 1, 1 };

	for (size_t i = 0; i < offset && i < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];
		if (c == '\n') {
			mark.line++;
			mark.col = 1;
		} else if ((c & 0xC0) != 0x80) {
			mark.col++;
		}
	}
	return mark;
}

static void report_parser_error(struct builder *b, const yaml_parser_t *p)
{
	struct kp_mark mark;
	const char *problem = p->problem ? p->problem : "unknown problem";

	if (p->error == YAML_READER_ERROR) {
		/* libyaml's problem_value is not always the byte; the text is. */
		unsigned byte = p->problem_offset < b->len ? (unsigned char)b->buf[p->problem_offset]
							   : (unsigned)(p->problem_value & 0xff);
		mark = mark_at_offset(b, p->problem_offset);
		if (strstr(problem, "UTF-8") || strstr(problem, "Unicode"))
			kp_diag_at(b->diags, KP_ERROR, &mark,
				   "the file is not valid UTF-8 (byte 0x%02x: %s); save it as UTF-8",
				   byte, problem);
		else
			kp_diag_at(b->diags, KP_ERROR, &mark,
				   "the file holds a character YAML does not allow (byte 0x%02x: %s); remove it",
				   byte, problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR)
		kp_out_of_memory();
	mark = mark_of(b, p->problem_mark);
	if (p->context)
		kp_diag_at(b->diags, KP_ERROR, &mark,
			   "YAML syntax error: %s (%s at line %lu); check the indentation and quoting here",
			   problem, p->context, (unsigned long)p->context_mark.line + 1);
	else
		kp_diag_at(b->diags, KP_ERROR, &mark,
			   "YAML syntax error: %s; check the indentation and quoting here", problem);
}

static void reject_anchor_and_tag(struct builder *b, const struct kp_mark *mark,
				  const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor)
		kp_diag_at(b->diags, KP_ERROR, mark,
			   "anchors ('&%s') are not supported; write the value out in full", anchor);
	static const char core[] = "tag:yaml.org,2002:";
	const char *text = (const char *)tag;

	if (text && strncmp(text, core, sizeof(core) - 1) == 0)
		kp_diag_at(b->diags, KP_ERROR, mark,
			   "tags ('!!%s') are not supported; write the plain value without a tag",
			   text + sizeof(core) - 1);
	else if (text)
		kp_diag_at(b->diags, KP_ERROR, mark,
			   "tags ('%s') are not supported; write the plain value without a tag", text);
}

static void append_child(struct kp_node *parent, struct kp_node *child)
{
	if (parent->last)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
	parent->count++;
}

struct kp_node *kp_node_get(const struct kp_node *map, const char *key)
{
	if (!map || map->kind != KP_NODE_MAPPING)
		return NULL;
	for (struct kp_node *c = map->first; c; c = c->next)
		if (c->key && c->key->kind == KP_NODE_SCALAR && strcmp(c->key->value, key) == 0)
			return c;
	return NULL;
}

static void attach_to_mapping(struct builder *b, struct frame *top, struct kp_node *node)
{
	struct kp_node *map = top->node;
	struct kp_node *key = top->pending_key;
	struct kp_node *first;

	if (!key) {
		if (node->kind != KP_NODE_SCALAR && node->kind != KP_NODE_INVALID)
			kp_diag_at(b->diags, KP_ERROR, &node->mark,
				   "a key must be a plain word, not %s", kp_node_kind_name(node));
		node->path = kp_arena_printf(b->arena, "%s%s?", map->path, map->path[0] ? "." : "");
		top->pending_key = node;
		return;
	}
	top->pending_key = NULL;
	node->key = key;
	if (key->kind != KP_NODE_SCALAR) {
		node->path = key->path;
	} else {
		node->path = map->path[0] ? kp_arena_printf(b->arena, "%s.%s", map->path, key->value)
					  : key->value;
		first = kp_node_get(map, key->value);
		if (first)
			kp_diag_at(b->diags, KP_ERROR, &key->mark,
				   "duplicate key '%s' (first given at line %lu); keep only one",
				   node->path, first->key->mark.line);
	}
	append_child(map, node);
}

/* Hook a new node into its parent; containers are then pushed by the caller. */
static void attach(struct builder *b, struct kp_node *node)
{
	struct frame *top;

	if (b->depth == 0) {
		node->path = "";
		b->root = node;
		return;
	}
	top = &b->stack[b->depth - 1];
	if (top->node->kind == KP_NODE_SEQUENCE) {
		node->path = kp_arena_printf(b->arena, "%s[%zu]", top->node->path, top->node->count);
		append_child(top->node, node);
	} else {
		attach_to_mapping(b, top, node);
	}
}

static struct kp_node *new_node(struct builder *b, enum kp_node_kind kind, yaml_mark_t m)
{
	struct kp_node *n = kp_arena_alloc(b->arena, sizeof(*n));

	n->kind = kind;
	n->mark = mark_of(b, m);
	n->path = "";
	return n;
}

static int push(struct builder *b, struct kp_node *node)
{
	if (b->depth == MAX_DEPTH) {
		kp_diag_at(b->diags, KP_ERROR, &node->mark,
			   "the document is nested more than %d levels deep; flatten it", MAX_DEPTH);
		return -EINVAL;
	}
	b->stack[b->depth].node = node;
	b->stack[b->depth].pending_key = NULL;
	b->depth++;
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	struct kp_node *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1) {
			struct kp_mark mark = mark_of(b, ev->start_mark);
			kp_diag_at(b->diags, KP_ERROR, &mark,
				   "a second YAML document ('---') is not supported; keep one document per file");
			return -EINVAL;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		n = new_node(b, KP_NODE_SCALAR, ev->start_mark);
		n->value = kp_arena_strndup(b->arena, (const char *)ev->data.scalar.value,
					    ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		reject_anchor_and_tag(b, &n->mark, ev->data.scalar.anchor, ev->data.scalar.tag);
		attach(b, n);
		return 0;
	case YAML_ALIAS_EVENT:
		n = new_node(b, KP_NODE_INVALID, ev->start_mark);
		kp_diag_at(b->diags, KP_ERROR, &n->mark,
			   "aliases ('*%s') are not supported; write the value out in full",
			   ev->data.alias.anchor);
		attach(b, n);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(b, KP_NODE_SEQUENCE, ev->start_mark);
		reject_anchor_and_tag(b, &n->mark, ev->data.sequence_start.anchor,
				      ev->data.sequence_start.tag);
		attach(b, n);
		return push(b, n);
	case YAML_MAPPING_START_EVENT:
		n = new_node(b, KP_NODE_MAPPING, ev->start_mark);
		reject_anchor_and_tag(b, &n->mark, ev->data.mapping_start.anchor,
				      ev->data.mapping_start.tag);
		attach(b, n);
		return push(b, n);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

static int check_top_level(struct builder *b)
{
	struct kp_mark start = { b->file, 1, 1 };

	if (!b->root || kp_node_is_null(b->root)) {
		kp_diag_at(b->diags, KP_ERROR, b->root ? &b->root->mark : &start,
			   "the file is empty; it needs at least 'name:' and 'version:' (see `kopanion-config keys`)");
		return -EINVAL;
	}
	if (b->root->kind != KP_NODE_MAPPING) {
		kp_diag_at(b->diags, KP_ERROR, &b->root->mark,
			   "the top level must be a mapping of keys (like 'name: kopanion'), not %s",
			   kp_node_kind_name(b->root));
		return -EINVAL;
	}
	return 0;
}

int kp_yaml_load_string(struct kp_arena *a, const char *file, const char *buf, size_t len,
			struct kp_node **root, struct kp_diags *d)
{
	struct builder b = { .arena = a, .file = file, .buf = buf, .len = len, .diags = d };
	yaml_parser_t parser;
	yaml_event_t ev;
	int r = 0;
	bool done = false;

	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		kp_out_of_memory();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(&b, &parser);
			r = -EINVAL;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (r == 0)
		r = check_top_level(&b);
	if (r == 0)
		*root = b.root;
	return r;
}

static int read_all(const char *file, struct kp_buf *out, struct kp_diags *d)
{
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	int e;

	if (fd < 0) {
		e = errno;
		kp_diag_file(d, KP_ERROR, file, "cannot read the file: %s; check the path", strerror(e));
		return -e;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		kp_diag_file(d, KP_ERROR, file, "is a directory; give the path of a YAML file");
		return -EISDIR;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			kp_diag_file(d, KP_ERROR, file, "cannot read the file: %s", strerror(e));
			return -e;
		}
		kp_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int kp_yaml_load_file(struct kp_arena *a, const char *file, struct kp_node **root,
		      struct kp_diags *d)
{
	struct kp_buf text = { 0 };
	int r;

	*root = NULL;
	r = read_all(file, &text, d);
	if (r == 0)
		r = kp_yaml_load_string(a, file, kp_buf_str(&text), text.len, root, d);
	kp_buf_free(&text);
	return r;
}

const char *kp_node_kind_name(const struct kp_node *n)
{
	switch (n->kind) {
	case KP_NODE_SCALAR:
		return kp_node_is_null(n) ? "nothing" : "a single value";
	case KP_NODE_SEQUENCE:
		return "a list";
	case KP_NODE_MAPPING:
		return "a mapping";
	default:
		return "an alias";
	}
}

bool kp_node_is_null(const struct kp_node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->kind != KP_NODE_SCALAR || !n->plain)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->value, nulls[i]) == 0)
			return true;
	return false;
}
