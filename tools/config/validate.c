#include "validate.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "sizing.h"
#include "strbuf.h"

struct ctx {
	const struct kp_validate_opts *opts;
	struct kp_config *cfg;
	struct kp_diags *d;
	const struct kp_node **given; /* per key of kp_keys: the node that set it */
};

#define ERR(c, node, ...) kp_diag_at((c)->d, KP_ERROR, &(node)->mark, __VA_ARGS__)

/* ---- did you mean ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 63), lb = strnlen(b, 63);
	size_t row[64];

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *kp_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3; /* more than two edits away is not a typo */

	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(word, candidates[i]);
		if (dist < best_d && dist < strlen(candidates[i])) {
			best = candidates[i];
			best_d = dist;
		}
	}
	return best;
}

static size_t count_allowed(const char *const *allowed)
{
	size_t n = 0;

	while (allowed[n])
		n++;
	return n;
}

static void join_allowed(struct kp_buf *b, const char *const *allowed)
{
	for (size_t i = 0; allowed[i]; i++)
		kp_buf_printf(b, "%s%s", i ? ", " : "", allowed[i]);
}

static void unknown_key(struct ctx *c, const struct kp_node *value)
{
	const char *cands[128];
	char sections[64][32];
	size_t n = 0, ns = 0;
	const char *hint;

	for (size_t i = 0; i < kp_keys_count && n < 126; i++) {
		const char *dot = strchr(kp_keys[i].path, '.');
		cands[n++] = kp_keys[i].path;
		if (dot && ns < 64 && (size_t)(dot - kp_keys[i].path) < sizeof(sections[0])) {
			snprintf(sections[ns], sizeof(sections[0]), "%.*s", (int)(dot - kp_keys[i].path),
				 kp_keys[i].path);
			cands[n++] = sections[ns++];
		}
	}
	hint = kp_suggest(value->path, cands, n);
	if (strchr(value->key->value, '.'))
		ERR(c, value->key, "unknown key '%s'; write dotted keys nested ('vm:' with 'cpus:' indented below it)",
		    value->path);
	else if (hint)
		ERR(c, value->key, "unknown key '%s' (did you mean '%s'?)", value->path, hint);
	else
		ERR(c, value->key, "unknown key '%s'; `kopanion-config keys` lists the known keys",
		    value->path);
}

/* ---- scalar helpers ---- */

static bool want_scalar(struct ctx *c, const struct kp_node *n, const char *path, const char *expect)
{
	if (n->kind == KP_NODE_INVALID)
		return false; /* an alias, reported while loading */
	if (n->kind != KP_NODE_SCALAR) {
		ERR(c, n, "%s: expected %s, got %s", path, expect, kp_node_kind_name(n));
		return false;
	}
	if (kp_node_is_null(n)) {
		ERR(c, n, "%s: no value given; write %s, or remove the key to get its default", path, expect);
		return false;
	}
	return true;
}

/* The plan holds one value per line, so no value may hold a newline. */
static bool one_line_text(struct ctx *c, const struct kp_node *n, const char *path)
{
	bool ok = strlen(n->value) == n->len;

	for (const char *p = n->value; ok && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			ok = false;
	if (!ok)
		ERR(c, n, "%s: the value holds a newline or another control character; write it on one line",
		    path);
	return ok;
}

static void replace_string(char **field, const char *value)
{
	char *copy = value ? strdup(value) : NULL;

	if (value && !copy)
		kp_out_of_memory();
	free(*field);
	*field = copy;
}

static void describe(const struct kp_key *key, char *buf, size_t size)
{
	kp_key_describe(key, buf, size);
}

/* ---- typed parsers: each checks one value and, if good, stores it ---- */

static bool check_string(struct ctx *c, const struct kp_key *key, const struct kp_node *n,
			 const char *path)
{
	char expect[512];

	describe(key, expect, sizeof(expect));
	if (!want_scalar(c, n, path, expect) || !one_line_text(c, n, path))
		return false;
	if (key->check && !key->check(n->value)) {
		ERR(c, n, "%s: '%s' is not valid; it must match %s", path, n->value, key->syntax);
		return false;
	}
	return true;
}

static void parse_string(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	if (check_string(c, key, n, n->path))
		replace_string(field, n->value);
}

static void parse_int(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	char expect[128];
	char *end;
	long long v;

	describe(key, expect, sizeof(expect));
	if (!want_scalar(c, n, n->path, expect))
		return;
	if (!n->plain) {
		ERR(c, n, "%s: expected %s, got the quoted text '%s'; remove the quotes", n->path, expect,
		    n->value);
		return;
	}
	errno = 0;
	v = strtoll(n->value, &end, 10);
	if (end == n->value || *end) {
		ERR(c, n, "%s: expected %s, got '%s'", n->path, expect, n->value);
		return;
	}
	if (errno == ERANGE || v < key->min || v > key->max) {
		ERR(c, n, "%s: %s is out of range; give %s", n->path, n->value, expect);
		return;
	}
	*(long long *)field = v;
}

static void parse_decimal(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	struct kp_decimal *dec = field;
	char expect[128];
	uint64_t nano;
	int r;

	describe(key, expect, sizeof(expect));
	if (!want_scalar(c, n, n->path, expect))
		return;
	if (!n->plain) {
		ERR(c, n, "%s: expected %s, got the quoted text '%s'; remove the quotes", n->path, expect,
		    n->value);
		return;
	}
	r = kp_decimal_parse(n->value, &nano);
	if (r == -EINVAL) {
		ERR(c, n, "%s: expected %s (like 12.5), got '%s'", n->path, expect, n->value);
		return;
	}
	if (r < 0 || nano < (uint64_t)key->min * KP_NANO_PER_GIB ||
	    nano > (uint64_t)key->max * KP_NANO_PER_GIB) {
		ERR(c, n, "%s: %s is out of range; give %s", n->path, n->value, expect);
		return;
	}
	replace_string(&dec->text, n->value);
	dec->nano = nano;
}

static void parse_bool(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	(void)key;
	if (!want_scalar(c, n, n->path, "true or false"))
		return;
	if (n->plain && strcmp(n->value, "true") == 0)
		*(bool *)field = true;
	else if (n->plain && strcmp(n->value, "false") == 0)
		*(bool *)field = false;
	else
		ERR(c, n, "%s: expected true or false, got '%s'", n->path, n->value);
}

static bool check_enum(struct ctx *c, const char *const *allowed, const struct kp_node *n,
		       const char *path)
{
	struct kp_buf expect = { 0 };
	const char *hint;
	bool ok = false;

	kp_buf_puts(&expect, "one of ");
	join_allowed(&expect, allowed);
	if (!want_scalar(c, n, path, kp_buf_str(&expect)) || !one_line_text(c, n, path))
		goto out;
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], n->value) == 0)
			ok = true;
	if (!ok) {
		hint = kp_suggest(n->value, allowed, count_allowed(allowed));
		if (hint)
			ERR(c, n, "%s: '%s' is not %s (did you mean '%s'?)", path, n->value,
			    kp_buf_str(&expect), hint);
		else
			ERR(c, n, "%s: '%s' is not %s", path, n->value, kp_buf_str(&expect));
	}
out:
	kp_buf_free(&expect);
	return ok;
}

static void parse_enum(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	if (check_enum(c, key->allowed, n, n->path))
		replace_string(field, n->value);
}

/* Paths in a YAML file are relative to that file's folder. */
static char *resolve_file(struct ctx *c, const struct kp_node *n, const char *path)
{
	struct kp_buf where = { 0 };
	const char *slash = strrchr(n->mark.file, '/');
	struct stat st;
	char *abs = NULL;

	if (n->value[0] == '/' || !slash)
		kp_buf_puts(&where, n->value);
	else
		kp_buf_printf(&where, "%.*s/%s", (int)(slash - n->mark.file), n->mark.file, n->value);
	if (stat(kp_buf_str(&where), &st) < 0)
		ERR(c, n, "%s: cannot read '%s' (looked at '%s'): %s; paths are relative to the folder of %s",
		    path, n->value, kp_buf_str(&where), strerror(errno), n->mark.file);
	else if (!S_ISREG(st.st_mode))
		ERR(c, n, "%s: '%s' is not a regular file; give the path of a file", path, kp_buf_str(&where));
	else if (!(abs = realpath(kp_buf_str(&where), NULL)))
		ERR(c, n, "%s: cannot resolve '%s': %s", path, kp_buf_str(&where), strerror(errno));
	kp_buf_free(&where);
	return abs;
}

static void parse_file(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field)
{
	char *abs;

	if (!check_string(c, key, n, n->path))
		return;
	if (!n->value[0]) { /* eula: "" in a profile takes the base's back out */
		replace_string(field, NULL);
		return;
	}
	abs = resolve_file(c, n, n->path);
	if (abs) {
		free(*(char **)field);
		*(char **)field = abs;
	}
}

static bool want_list(struct ctx *c, const struct kp_key *key, const struct kp_node *n)
{
	char expect[512];

	if (n->kind == KP_NODE_SEQUENCE)
		return true;
	if (n->kind == KP_NODE_INVALID)
		return false;
	describe(key, expect, sizeof(expect));
	if (kp_node_is_null(n))
		ERR(c, n, "%s: no value given; write %s (like [a, b]), or remove the key to get its default",
		    n->path, expect);
	else
		ERR(c, n, "%s: expected %s, got %s", n->path, expect, kp_node_kind_name(n));
	return false;
}

/* A list is stored whole or not at all: on any bad item the field keeps its
 * default (or the earlier file's value) and the parsed items are freed. */
static void store_list(void *field, struct kp_strv *items, bool ok)
{
	if (ok) {
		kp_strv_free(field);
		*(struct kp_strv *)field = *items;
	} else {
		kp_strv_free(items);
	}
}

static void parse_string_list(struct ctx *c, const struct kp_key *key, const struct kp_node *n,
			      void *field)
{
	struct kp_strv items = { 0 };
	bool ok = true;

	if (!want_list(c, key, n))
		return;
	for (const struct kp_node *item = n->first; item; item = item->next) {
		char expect[256];

		snprintf(expect, sizeof(expect), "a word matching %s", key->syntax);
		if (!want_scalar(c, item, item->path, expect) || !one_line_text(c, item, item->path)) {
			ok = false;
		} else if (!key->check(item->value)) {
			ERR(c, item, "%s: '%s' is not valid; it must match %s", item->path, item->value,
			    key->syntax);
			ok = false;
		} else {
			kp_strv_push(&items, item->value);
		}
	}
	store_list(field, &items, ok);
}

static void parse_enum_list(struct ctx *c, const struct kp_key *key, const struct kp_node *n,
			    void *field)
{
	struct kp_strv items = { 0 };
	bool ok = true;

	if (!want_list(c, key, n))
		return;
	if ((key->flags & KP_KEY_NONEMPTY) && n->count == 0) {
		struct kp_buf allowed = { 0 };
		join_allowed(&allowed, key->allowed);
		ERR(c, n, "%s: the list is empty; give at least one of %s", n->path, kp_buf_str(&allowed));
		kp_buf_free(&allowed);
		return;
	}
	for (const struct kp_node *item = n->first; item; item = item->next) {
		if (!check_enum(c, key->allowed, item, item->path)) {
			ok = false;
		} else if ((key->flags & KP_KEY_UNIQUE) && kp_strv_contains(&items, item->value)) {
			ERR(c, item, "%s: '%s' is listed twice; list each once", item->path, item->value);
			ok = false;
		} else {
			kp_strv_push(&items, item->value);
		}
	}
	store_list(field, &items, ok);
}

/* ---- containers: each item names a recipe or an archive ---- */

static bool add_recipe(struct ctx *c, const struct kp_node *n, struct kp_containers *out)
{
	const char *dir = c->opts && c->opts->containers_dir ? c->opts->containers_dir : "containers";
	struct kp_buf recipe = { 0 };
	struct stat st;
	bool ok = false;

	if (!check_string(c, &kp_container_keys[0], n, n->path))
		return false;
	kp_buf_printf(&recipe, "%s/%s/recipe.yaml", dir, n->value);
	if (kp_strv_contains(&out->names, n->value))
		ERR(c, n, "%s: recipe '%s' is listed twice; list each once", n->path, n->value);
	else if (stat(kp_buf_str(&recipe), &st) < 0 || !S_ISREG(st.st_mode))
		ERR(c, n, "%s: no recipe '%s' (looked for '%s'); create it, or point --containers-dir at the folder that holds it",
		    n->path, n->value, kp_buf_str(&recipe));
	else
		ok = true;
	if (ok)
		kp_strv_push(&out->names, n->value);
	kp_buf_free(&recipe);
	return ok;
}

static bool add_archive(struct ctx *c, const struct kp_node *n, struct kp_containers *out)
{
	char *abs;
	bool ok = false;

	if (!check_string(c, &kp_container_keys[1], n, n->path))
		return false;
	abs = resolve_file(c, n, n->path);
	if (!abs)
		return false;
	if (strpbrk(abs, " \t"))
		ERR(c, n, "%s: the path '%s' holds a space, which the build plan's list cannot; rename or move the file",
		    n->path, abs);
	else if (kp_strv_contains(&out->archives, abs))
		ERR(c, n, "%s: archive '%s' is listed twice; list each once", n->path, abs);
	else
		ok = true;
	if (ok)
		kp_strv_push(&out->archives, abs);
	free(abs);
	return ok;
}

static bool parse_container(struct ctx *c, const struct kp_node *item, struct kp_containers *out)
{
	const char *names[] = { kp_container_keys[0].path, kp_container_keys[1].path };
	const struct kp_node *name = NULL, *archive = NULL;
	bool ok = true;

	if (item->kind != KP_NODE_MAPPING) {
		if (item->kind != KP_NODE_INVALID)
			ERR(c, item, "%s: expected a mapping like {name: RECIPE} or {archive: FILE}, got %s",
			    item->path, kp_node_kind_name(item));
		return false;
	}
	for (const struct kp_node *v = item->first; v; v = v->next) {
		const char *hint;

		if (!v->key || v->key->kind != KP_NODE_SCALAR)
			continue;
		if (strcmp(v->key->value, "name") == 0) {
			name = v;
			continue;
		}
		if (strcmp(v->key->value, "archive") == 0) {
			archive = v;
			continue;
		}
		hint = kp_suggest(v->key->value, names, 2);
		if (hint)
			ERR(c, v->key, "unknown key '%s' (did you mean '%s.%s'?)", v->path, item->path, hint);
		else
			ERR(c, v->key, "unknown key '%s'; a container item has 'name' or 'archive'", v->path);
		ok = false;
	}
	if (name && archive) {
		ERR(c, item, "%s: give either 'name' or 'archive', not both", item->path);
		return false;
	}
	if (!name && !archive) {
		if (ok)
			ERR(c, item, "%s: give 'name: RECIPE' or 'archive: FILE'", item->path);
		return false;
	}
	return (name ? add_recipe(c, name, out) : add_archive(c, archive, out)) && ok;
}

static void parse_containers(struct ctx *c, const struct kp_key *key, const struct kp_node *n,
			     void *field)
{
	struct kp_containers items = { { 0 }, { 0 } };
	struct kp_containers *out = field;
	bool ok = true;

	if (!want_list(c, key, n))
		return;
	for (const struct kp_node *item = n->first; item; item = item->next)
		if (!parse_container(c, item, &items))
			ok = false;
	if (ok) {
		kp_strv_free(&out->names);
		kp_strv_free(&out->archives);
		*out = items;
	} else {
		kp_strv_free(&items.names);
		kp_strv_free(&items.archives);
	}
}

typedef void (*parse_fn)(struct ctx *c, const struct kp_key *key, const struct kp_node *n, void *field);

static const parse_fn parsers[] = {
	[KP_TYPE_STRING] = parse_string,
	[KP_TYPE_INT] = parse_int,
	[KP_TYPE_DECIMAL] = parse_decimal,
	[KP_TYPE_BOOL] = parse_bool,
	[KP_TYPE_ENUM] = parse_enum,
	[KP_TYPE_FILE] = parse_file,
	[KP_TYPE_STRING_LIST] = parse_string_list,
	[KP_TYPE_ENUM_LIST] = parse_enum_list,
	[KP_TYPE_CONTAINERS] = parse_containers,
};

/* ---- the walk over the tree ---- */

static void walk_mapping(struct ctx *c, const struct kp_node *map)
{
	for (const struct kp_node *v = map->first; v; v = v->next) {
		const struct kp_key *key;

		if (!v->key || v->key->kind != KP_NODE_SCALAR)
			continue; /* reported while loading */
		key = strchr(v->key->value, '.') ? NULL : kp_key_find(v->path);
		if (key) {
			c->given[key - kp_keys] = v;
			parsers[key->type](c, key, v, (char *)c->cfg + key->offset);
		} else if (!strchr(v->key->value, '.') && kp_schema_is_section(v->path)) {
			if (v->kind == KP_NODE_MAPPING)
				walk_mapping(c, v);
			else if (v->kind != KP_NODE_INVALID && !kp_node_is_null(v))
				ERR(c, v, "%s: expected a mapping of keys (indented below '%s:'), got %s",
				    v->path, v->path, kp_node_kind_name(v));
		} else {
			unknown_key(c, v);
		}
	}
}

/* ---- cross-field rules, all in one place ---- */

static void check_required(struct ctx *c, const struct kp_node *root)
{
	struct kp_mark top = { root->mark.file, 1, 1 };

	for (size_t i = 0; i < kp_keys_count; i++)
		if ((kp_keys[i].flags & KP_KEY_REQUIRED) && !c->given[i])
			kp_diag_at(c->d, KP_ERROR, &top,
				   "missing required key '%s'; add '%s: VALUE' at the top level (VALUE must match %s)",
				   kp_keys[i].path, kp_keys[i].path, kp_keys[i].syntax);
}

static void warn_below_seed(struct ctx *c, const char *path, long long value, long long minimum,
			    const char *unit)
{
	const struct kp_key *key = kp_key_find(path);
	const struct kp_node *n = c->given[key - kp_keys];

	if (n && value < minimum)
		kp_diag_at(c->d, KP_WARNING, &n->mark,
			   "%s: %lld is below the seed minimum of %lld %s; fine for tests, too small for production",
			   path, value, minimum, unit);
}

static void check_cross_fields(struct ctx *c, const struct kp_node *root)
{
	check_required(c, root);
	warn_below_seed(c, "vm.cpus", c->cfg->cpus, KP_SEED_MIN_CPUS, "CPUs");
	warn_below_seed(c, "vm.memory_gib", c->cfg->memory_gib, KP_SEED_MIN_MEMORY_GIB, "GiB");
}

int kp_validate(const struct kp_node *root, const struct kp_validate_opts *opts,
		struct kp_config *cfg, struct kp_diags *d)
{
	struct ctx c = { opts, cfg, d, NULL };

	c.given = calloc(kp_keys_count, sizeof(*c.given));
	if (!c.given)
		kp_out_of_memory();
	walk_mapping(&c, root);
	check_cross_fields(&c, root);
	free(c.given);
	return d->errors ? -EINVAL : 0;
}
