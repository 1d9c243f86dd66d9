/* Checks an existing image archive (docker-archive, OCI layout in a tar,
 * or both): every blob against its name, every descriptor's digest and
 * size, and every layer's DiffID against its (decompressed) bytes. */
#ifndef KP_IMAGE_VERIFY_H
#define KP_IMAGE_VERIFY_H

#include "error.h"

/* Prints a summary on stdout and each problem found on stderr. */
int verify_archive(const char *path, struct kp_error *err);

#endif
