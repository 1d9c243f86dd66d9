/* kopanion-image: container image layers and archives, built offline. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "layer.h"
#include "pack.h"
#include "recipe.h"
#include "verify.h"

#define PROG "kopanion-image"
#define VERSION "0.1.0"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " COMMAND [OPTIONS]\n"
		"\n"
		"Layers:\n"
		"  layer --root DIR [--base DIR] -o LAYER.tar\n"
		"        a layer tar of DIR; with --base, only what differs from the base tree\n"
		"        (added/changed entries, .wh.<name> whiteouts for removed ones)\n"
		"\n"
		"Images:\n"
		"  pack --recipe RECIPE.yaml [--base-layer BASE.tar] --layer LAYER.tar... -o IMAGE.tar [--tag REPO:TAG]...\n"
		"        one tar that is a docker-archive (docker load) and an OCI image layout;\n"
		"        layers bottom first (--base-layer is always the bottom one);\n"
		"        --tag replaces the recipe's tags; --name names the image in its history\n"
		"  verify IMAGE.tar\n"
		"        check every blob, descriptor and DiffID of an existing image archive\n"
		"\n"
		"Recipes:\n"
		"  recipe RECIPE.yaml\n"
		"        validate a recipe and print it as tab-separated lines for the shell driver\n"
		"\n"
		"Reproducibility: mtimes are clamped to SOURCE_DATE_EPOCH (0 when unset), owners are\n"
		"numeric, entries are sorted by path, and the image's 'created' is SOURCE_DATE_EPOCH.\n"
		"\n"
		"  -h, --help     this text\n"
		"  --version      the version\n"
		"Exit: 0 ok, 1 failure, 2 usage.\n");
}

struct args {
	const char *root, *base, *output, *recipe, *name, *base_layer;
	const char **layers, **tags;
	size_t nlayers, ntags;
};

static int push(const char ***v, size_t *n, const char *s)
{
	const char **p = realloc(*v, (*n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	p[(*n)++] = s;
	*v = p;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "base", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "recipe", required_argument, NULL, 'R' },
		{ "layer", required_argument, NULL, 'l' },
		{ "base-layer", required_argument, NULL, 'L' },
		{ "tag", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->root = optarg; break;
		case 'b': a->base = optarg; break;
		case 'o': a->output = optarg; break;
		case 'R': a->recipe = optarg; break;
		case 'n': a->name = optarg; break;
		case 'l': if (push(&a->layers, &a->nlayers, optarg) < 0) return 1; break;
		case 'L': a->base_layer = optarg; break;
		case 't': if (push(&a->tags, &a->ntags, optarg) < 0) return 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	return 0;
}

/* --base-layer is the bottom layer wherever it stands on the command line. */
static int put_base_layer_first(struct args *a)
{
	if (push(&a->layers, &a->nlayers, a->base_layer) < 0)
		return -ENOMEM;
	memmove(a->layers + 1, a->layers, (a->nlayers - 1) * sizeof(*a->layers));
	a->layers[0] = a->base_layer;
	return 0;
}

/* SOURCE_DATE_EPOCH, or 0: an image built without one still gets fixed times. */
static int source_date_epoch(long long *epoch, struct kp_error *err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;

	*epoch = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	*epoch = strtoll(s, &end, 10);
	if (errno || *end || *epoch < 0)
		return kp_fail(err, EINVAL, "SOURCE_DATE_EPOCH='%s' is not a whole number of seconds since 1970", s);
	return 0;
}

static int run_layer(const struct args *a, struct kp_error *err)
{
	struct layer_opts o = { .root = a->root, .base = a->base, .output = a->output };
	struct layer_stats st;
	int r;

	if ((r = source_date_epoch(&o.epoch, err)) < 0)
		return r;
	if ((r = layer_write(&o, &st, err)) < 0)
		return r;
	printf("layer %s: %lu entries, %lu whiteouts, %llu bytes\n", a->output, st.entries, st.whiteouts, st.bytes);
	return 0;
}

static int run_pack(const struct args *a, struct kp_error *err)
{
	struct recipe rc;
	struct pack_opts o = { .rc = &rc, .name = a->name, .layers = a->layers, .nlayers = a->nlayers,
			       .tags = a->tags, .ntags = a->ntags, .output = a->output };
	int r;

	if ((r = source_date_epoch(&o.epoch, err)) < 0)
		return r;
	if ((r = recipe_load(&rc, a->recipe, err)) < 0) {
		recipe_free(&rc);
		return r;
	}
	r = pack_image(&o, err);
	recipe_free(&rc);
	return r;
}

static int run_recipe(const char *path, struct kp_error *err)
{
	struct recipe rc;
	int r = recipe_load(&rc, path, err);

	if (r == 0)
		recipe_print_flat(&rc);
	recipe_free(&rc);
	return r;
}

static int need(const char *value, const char *option)
{
	if (value)
		return 0;
	fprintf(stderr, PROG ": error: %s is required (see " PROG " --help)\n", option);
	return 2;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct kp_error err = {{0}};
	const char *cmd;
	int r;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* libarchive translates names through the locale: read and write them as UTF-8 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf(PROG " " VERSION "\n");
		return 0;
	}
	if ((r = parse_args(argc - 1, argv + 1, &a)) != 0)
		goto out;
	if (a.base_layer && put_base_layer_first(&a) < 0) {
		r = 1;
		goto out;
	}
	if (strcmp(cmd, "layer") == 0) {
		if ((r = need(a.root, "--root")) || (r = need(a.output, "-o")))
			goto out;
		r = run_layer(&a, &err);
	} else if (strcmp(cmd, "pack") == 0) {
		if ((r = need(a.recipe, "--recipe")) || (r = need(a.output, "-o")) ||
		    (r = need(a.nlayers ? "" : NULL, "--layer")))
			goto out;
		r = run_pack(&a, &err);
	} else if (strcmp(cmd, "verify") == 0 || strcmp(cmd, "recipe") == 0) {
		if (optind + 1 != argc - 1) {
			fprintf(stderr, PROG ": error: %s takes one file (see " PROG " --help)\n", cmd);
			r = 2;
			goto out;
		}
		r = strcmp(cmd, "verify") == 0 ? verify_archive(argv[optind + 1], &err) : run_recipe(argv[optind + 1], &err);
	} else {
		fprintf(stderr, PROG ": error: unknown command '%s' (layer, pack, verify, recipe; see --help)\n", cmd);
		r = 2;
		goto out;
	}
	if (r < 0) {
		kp_error_print(PROG, &err);
		r = 1;
	}
out:
	free(a.layers);
	free(a.tags);
	return r;
}
