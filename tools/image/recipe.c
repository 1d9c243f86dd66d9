#include "recipe.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ctx {
	yaml_document_t *doc;
	const char *path;
	struct kp_error *err;
};

static int fail_at(struct ctx *c, yaml_node_t *n, const char *fmt, const char *arg)
{
	char what[512];

	snprintf(what, sizeof(what), fmt, arg);
	return kp_fail(c->err, EINVAL, "%s:%zu:%zu: %s", c->path,
		       n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0, what);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int strlist_add(struct strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	if (!(v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- typed parsers: one per kind of key ---- */

static int parse_string(struct ctx *c, yaml_node_t *n, void *field)
{
	char **out = field;
	const char *s = scalar(n);

	if (!s)
		return fail_at(c, n, "expected a string%s", "");
	free(*out);
	*out = strdup(s);
	return *out ? 0 : kp_fail(c->err, ENOMEM, "out of memory");
}

/* A list of strings; a single string is a list of one. */
static int parse_list(struct ctx *c, yaml_node_t *n, void *field)
{
	struct strlist *l = field;

	if (scalar(n))
		return strlist_add(l, scalar(n)) < 0 ? kp_fail(c->err, ENOMEM, "out of memory") : 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, "expected a list of strings%s", "");
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *i);
		if (!scalar(item))
			return fail_at(c, item, "expected a string in the list%s", "");
		if (strlist_add(l, scalar(item)) < 0)
			return kp_fail(c->err, ENOMEM, "out of memory");
	}
	return 0;
}

/* A mapping of strings, kept as "key=value" in document order. */
static int parse_map(struct ctx *c, yaml_node_t *n, void *field)
{
	struct strlist *l = field;

	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, n, "expected a mapping of names to values%s", "");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		char *kv;
		int r;

		if (!scalar(k) || !scalar(v))
			return fail_at(c, scalar(k) ? v : k, "expected 'name: value' with a plain value%s", "");
		if (!*scalar(k) || strchr(scalar(k), '='))
			return fail_at(c, k, "name '%s' must be non-empty and without '='", scalar(k));
		if (asprintf(&kv, "%s=%s", scalar(k), scalar(v)) < 0)
			return kp_fail(c->err, ENOMEM, "out of memory");
		r = strlist_add(l, kv);
		free(kv);
		if (r < 0)
			return kp_fail(c->err, ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_ports(struct ctx *c, yaml_node_t *n, void *field)
{
	struct strlist *l = field;
	size_t first = l->n;
	int r = parse_list(c, n, field);

	for (size_t i = first; r == 0 && i < l->n; i++) {
		char port[32];
		if (recipe_parse_port(l->v[i], port, sizeof(port)) < 0)
			return fail_at(c, n, "port '%s' is not PORT or PORT/tcp or PORT/udp (1-65535)", l->v[i]);
		free(l->v[i]);
		if (!(l->v[i] = strdup(port)))
			return kp_fail(c->err, ENOMEM, "out of memory");
	}
	return r;
}

static int parse_files(struct ctx *c, yaml_node_t *n, void *field)
{
	struct recipe *rc = field;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, "expected a list of {src, dest, mode}%s", "");
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *i);
		struct recipe_file f = { .mode = 0644 }, *v;

		if (item->type != YAML_MAPPING_NODE)
			return fail_at(c, item, "expected {src, dest, mode}%s", "");
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *val = yaml_document_get_node(c->doc, p->value);
			const char *key = scalar(k), *s = scalar(val);
			char *end;

			if (!key || !s)
				return fail_at(c, k, "expected 'src', 'dest' or 'mode' with a plain value%s", "");
			if (strcmp(key, "src") == 0 && !f.src) {
				f.src = strdup(s);
			} else if (strcmp(key, "dest") == 0 && !f.dest) {
				if (s[0] != '/' || strstr(s, "/../") || strstr(s, "\t"))
					return fail_at(c, val, "dest '%s' must be an absolute path inside the image, without '..'", s);
				f.dest = strdup(s);
			} else if (strcmp(key, "mode") == 0) {
				f.mode = (unsigned)strtoul(s, &end, 8);
				if (*end || !*s || f.mode > 07777)
					return fail_at(c, val, "mode '%s' is not an octal file mode such as \"0755\"", s);
			} else {
				return fail_at(c, k, "unknown or repeated key '%s' in a file (known: src, dest, mode)", key);
			}
		}
		if (!f.src || !f.dest || strstr(f.src, "..") || f.src[0] == '/' || strchr(f.src, '\t')) {
			free(f.src);
			free(f.dest);
			return fail_at(c, item, "a file needs 'src' (relative to the recipe's folder, no '..') and 'dest'%s", "");
		}
		v = realloc(rc->files, (rc->nfiles + 1) * sizeof(*v));
		if (!v)
			return kp_fail(c->err, ENOMEM, "out of memory");
		rc->files = v;
		v[rc->nfiles++] = f;
	}
	return 0;
}

static int parse_duration_field(struct ctx *c, yaml_node_t *n, long long *out)
{
	if (!scalar(n) || recipe_parse_duration(scalar(n), out) < 0)
		return fail_at(c, n, "'%s' is not a duration such as 30s, 1m30s or 500ms", scalar(n) ? scalar(n) : "");
	return 0;
}

static int parse_health(struct ctx *c, yaml_node_t *n, void *field)
{
	struct healthcheck *h = field;
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, n, "expected {test, interval, timeout, retries, start_period}%s", "");
	h->set = true;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const char *key = scalar(k);
		char *end;

		if (!key)
			return fail_at(c, k, "expected a key%s", "");
		if (strcmp(key, "test") == 0) {
			/* a string is a shell command, as in a Dockerfile's HEALTHCHECK CMD <string> */
			if (scalar(v) && (strlist_add(&h->test, "CMD-SHELL") < 0))
				return kp_fail(c->err, ENOMEM, "out of memory");
			if ((r = parse_list(c, v, &h->test)) < 0)
				return r;
		} else if (strcmp(key, "interval") == 0) {
			r = parse_duration_field(c, v, &h->interval_ns);
		} else if (strcmp(key, "timeout") == 0) {
			r = parse_duration_field(c, v, &h->timeout_ns);
		} else if (strcmp(key, "start_period") == 0) {
			r = parse_duration_field(c, v, &h->start_period_ns);
		} else if (strcmp(key, "retries") == 0) {
			h->retries = scalar(v) ? strtoll(scalar(v), &end, 10) : -1;
			if (!scalar(v) || *end || h->retries < 0)
				return fail_at(c, v, "retries must be a whole number ≥ 0%s", "");
			r = 0;
		} else {
			return fail_at(c, k, "unknown key '%s' in healthcheck (known: test, interval, timeout, retries, start_period)", key);
		}
		if (r < 0)
			return r;
	}
	if (h->test.n == 0)
		return fail_at(c, n, "healthcheck needs 'test'%s", "");
	if (strcmp(h->test.v[0], "CMD") != 0 && strcmp(h->test.v[0], "CMD-SHELL") != 0 && strcmp(h->test.v[0], "NONE") != 0)
		return fail_at(c, n, "healthcheck test list must start with CMD, CMD-SHELL or NONE (got '%s')", h->test.v[0]);
	return 0;
}

struct key_table {
	const char *key;
	int (*parse)(struct ctx *c, yaml_node_t *n, void *field);
	size_t offset;
	const char *help;
};

static const struct key_table keys[] = {
	{ "suite",       parse_string, offsetof(struct recipe, suite),       "Debian suite (trixie)" },
	{ "variant",     parse_string, offsetof(struct recipe, variant),     "mmdebstrap variant of a base (minbase)" },
	{ "base",        parse_string, offsetof(struct recipe, base),        "the base image this one builds on (base)" },
	{ "packages",    parse_list,   offsetof(struct recipe, packages),    "Debian packages to install" },
	{ "files",       parse_files,  0,                                    "files to add: {src, dest, mode}" },
	{ "env",         parse_map,    offsetof(struct recipe, env),         "environment: NAME: value" },
	{ "entrypoint",  parse_list,   offsetof(struct recipe, entrypoint),  "entrypoint argv" },
	{ "cmd",         parse_list,   offsetof(struct recipe, cmd),         "default arguments" },
	{ "user",        parse_string, offsetof(struct recipe, user),        "user[:group] to run as" },
	{ "workdir",     parse_string, offsetof(struct recipe, workdir),     "working directory" },
	{ "ports",       parse_ports,  offsetof(struct recipe, ports),       "exposed ports: 25/tcp" },
	{ "volumes",     parse_list,   offsetof(struct recipe, volumes),     "volume paths" },
	{ "healthcheck", parse_health, offsetof(struct recipe, health),      "{test, interval, timeout, retries, start_period}" },
	{ "labels",      parse_map,    offsetof(struct recipe, labels),      "image labels: name: value" },
	{ "tag",         parse_list,   offsetof(struct recipe, tags),        "repo:tag, or a list of them" },
};

static int label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_root(struct ctx *c, struct recipe *rc)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);
	int r;

	if (!root || root->type != YAML_MAPPING_NODE)
		return fail_at(c, root, "a recipe is a mapping of keys (suite, packages, ...)%s", "");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const struct key_table *t = NULL;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (scalar(k) && strcmp(scalar(k), keys[i].key) == 0)
				t = &keys[i];
		if (!t)
			return fail_at(c, k, "unknown key '%s' (known: suite, variant, base, packages, files, env, entrypoint, "
				       "cmd, user, workdir, ports, volumes, healthcheck, labels, tag)", scalar(k) ? scalar(k) : "?");
		if ((r = t->parse(c, v, t->parse == parse_files ? (void *)rc : (char *)rc + t->offset)) < 0)
			return r;
	}
	if (!rc->suite)
		return fail_at(c, root, "'suite' is required (e.g. suite: trixie)%s", "");
	for (size_t i = 0; i < rc->packages.n; i++)
		if (strspn(rc->packages.v[i], "abcdefghijklmnopqrstuvwxyz0123456789+-.:=") != strlen(rc->packages.v[i]))
			return fail_at(c, root, "package name '%s' is not a Debian package name", rc->packages.v[i]);
	qsort(rc->labels.v, rc->labels.n, sizeof(char *), label_cmp);
	qsort(rc->ports.v, rc->ports.n, sizeof(char *), label_cmp);
	qsort(rc->volumes.v, rc->volumes.n, sizeof(char *), label_cmp);
	return 0;
}

int recipe_load(struct recipe *rc, const char *path, struct kp_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c = { .doc = &doc, .path = path, .err = err };
	FILE *f;
	int r;

	memset(rc, 0, sizeof(*rc));
	if (!(rc->path = strdup(path)))
		return kp_fail(err, ENOMEM, "out of memory");
	f = fopen(path, "rb");
	if (!f)
		return kp_fail_errno(err, errno, "cannot read recipe '%s'", path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		r = kp_fail(err, EINVAL, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML",
			    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return r;
	}
	r = parse_root(&c, rc);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return r;
}

void recipe_free(struct recipe *rc)
{
	free(rc->path);
	free(rc->suite);
	free(rc->variant);
	free(rc->base);
	free(rc->user);
	free(rc->workdir);
	strlist_free(&rc->packages);
	strlist_free(&rc->env);
	strlist_free(&rc->entrypoint);
	strlist_free(&rc->cmd);
	strlist_free(&rc->ports);
	strlist_free(&rc->volumes);
	strlist_free(&rc->tags);
	strlist_free(&rc->labels);
	strlist_free(&rc->health.test);
	for (size_t i = 0; i < rc->nfiles; i++) {
		free(rc->files[i].src);
		free(rc->files[i].dest);
	}
	free(rc->files);
	memset(rc, 0, sizeof(*rc));
}

void recipe_print_flat(const struct recipe *rc)
{
	printf("suite\t%s\n", rc->suite);
	if (rc->variant)
		printf("variant\t%s\n", rc->variant);
	if (rc->base)
		printf("base\t%s\n", rc->base);
	for (size_t i = 0; i < rc->packages.n; i++)
		printf("package\t%s\n", rc->packages.v[i]);
	for (size_t i = 0; i < rc->nfiles; i++)
		printf("file\t%04o\t%s\t%s\n", rc->files[i].mode, rc->files[i].src, rc->files[i].dest);
	for (size_t i = 0; i < rc->tags.n; i++)
		printf("tag\t%s\n", rc->tags.v[i]);
}

int recipe_parse_duration(const char *s, long long *ns)
{
	long long total = 0;
	const char *p = s;
	char *end;

	if (!*s)
		return -EINVAL;
	if (strspn(s, "0123456789") == strlen(s)) {
		*ns = strtoll(s, NULL, 10) * 1000000000LL;
		return 0;
	}
	while (*p) {
		long long v = strtoll(p, &end, 10), unit;
		if (end == p || v < 0)
			return -EINVAL;
		p = end;
		if (strncmp(p, "ms", 2) == 0) { unit = 1000000LL; p += 2; }
		else if (*p == 's') { unit = 1000000000LL; p++; }
		else if (*p == 'm') { unit = 60000000000LL; p++; }
		else if (*p == 'h') { unit = 3600000000000LL; p++; }
		else return -EINVAL;
		total += v * unit;
	}
	*ns = total;
	return 0;
}

int recipe_parse_port(const char *s, char *out, size_t outlen)
{
	char *end;
	long port = strtol(s, &end, 10);
	const char *proto = "tcp";

	if (end == s || port < 1 || port > 65535)
		return -EINVAL;
	if (*end == '/') {
		proto = end + 1;
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0)
			return -EINVAL;
	} else if (*end) {
		return -EINVAL;
	}
	snprintf(out, outlen, "%ld/%s", port, proto);
	return 0;
}
