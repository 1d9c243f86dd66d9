/* One tar that is both a docker-archive (manifest.json) and an OCI image
 * layout (oci-layout, index.json, blobs/sha256/...), both views naming the
 * same blobs. Layers are stored uncompressed, so DiffID = blob digest. */
#ifndef KP_IMAGE_PACK_H
#define KP_IMAGE_PACK_H

#include <stddef.h>

#include "digest.h"
#include "error.h"
#include "json.h"
#include "recipe.h"

struct pack_opts {
	const struct recipe *rc;
	const char *name;           /* recipe name, for the history */
	const char **layers;        /* uncompressed layer tars, bottom first */
	size_t nlayers;
	const char **tags;          /* repo:tag; if none, the recipe's tags */
	size_t ntags;
	const char *output;
	long long epoch;
};

struct layer_desc {
	char digest[8 + KP_DIGEST_HEX_MAX]; /* "sha256:<hex>" */
	unsigned long long size;
};

int pack_image(const struct pack_opts *o, struct kp_error *err);

/* The documents, exposed for the unit tests. */
void pack_created(long long epoch, char out[32]);
int pack_config_json(const struct pack_opts *o, const struct layer_desc *layers, struct jbuf *out);
/* "kopanion/mta:1.0" -> repo_tag "kopanion/mta:1.0", tag "1.0",
 * full "docker.io/kopanion/mta:1.0". Returns -EINVAL on a malformed reference. */
int pack_parse_tag(const char *ref, char *tag, size_t taglen, char *full, size_t fulllen);

#endif
