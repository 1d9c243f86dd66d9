/* A tar file being written under a temporary name (libarchive, pax
 * restricted: plain ustar headers unless a name, size or xattr needs pax
 * records), which gets its final name only when it is complete. Used for
 * the image layers and for the docker-archive that packs them. */
#ifndef KP_IMAGE_TAROUT_H
#define KP_IMAGE_TAROUT_H

#include <archive.h>
#include <archive_entry.h>

#include "atomic.h"
#include "error.h"

struct tarout {
	struct kp_atomic_file f;
	struct archive *a;
	struct archive_entry *ae; /* one entry to reuse (archive_entry_clear) */
	const char *what;         /* for messages: "the layer 'x.tar'" */
};

/* Opens the temporary beside path. what names the file in messages. */
int tarout_open(struct tarout *t, const char *path, const char *what, struct kp_error *err);
/* Finishes the archive and renames it onto its path; *bytes (if not NULL)
 * gets its length. */
int tarout_commit(struct tarout *t, unsigned long long *bytes, struct kp_error *err);
/* Frees everything; removes the temporary unless it was committed. Safe after
 * a failed tarout_open. */
void tarout_close(struct tarout *t);

#endif
