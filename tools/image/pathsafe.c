#include "pathsafe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned cp;
		int n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1f; n = 1; }
		else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0f; n = 2; }
		else if ((*p & 0xf8) == 0xf0) { cp = *p & 0x07; n = 3; }
		else return false;
		if (end - p <= n)
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000))
			return false; /* overlong */
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

const char *path_strip_dot(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

/* Walks the components of path; returns true if any equals "..". */
static bool has_dotdot(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* The name with bytes >= 0x80 and control characters as \xNN: safe to print
 * whatever the terminal's encoding. */
static void printable(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < outlen; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

int path_check_name(const char *name, struct kp_error *err)
{
	char shown[512];

	if (!utf8_valid(name, strlen(name))) {
		printable(name, shown, sizeof(shown));
		return kp_fail(err, EILSEQ, "entry name '%s' is not valid UTF-8: rename the file in the source tree "
			       "(image names must be UTF-8 for Docker and OCI tools)", shown);
	}
	if (name[0] == '/')
		return kp_fail(err, EINVAL, "entry '%s' has an absolute path: layer entries must be relative to the image root", name);
	if (has_dotdot(name))
		return kp_fail(err, EINVAL, "entry '%s' has a '..' component: it would be written outside the image root; "
			       "rebuild the layer without it", name);
	if (*path_strip_dot(name) == '\0' && strcmp(name, "./") != 0 && strcmp(name, ".") != 0)
		return kp_fail(err, EINVAL, "entry with an empty name: rebuild the layer");
	return 0;
}

/* Lexical resolution: depth counts components below the root; going above it escapes. */
static bool escapes(const char *dir, const char *target)
{
	int depth = 0;
	const char *p;

	if (target[0] != '/') {
		for (p = dir; *p;) {
			size_t n = strcspn(p, "/");
			if (n == 2 && p[0] == '.' && p[1] == '.')
				depth--;
			else if (n > 0 && !(n == 1 && p[0] == '.'))
				depth++;
			p += n;
			while (*p == '/')
				p++;
		}
	}
	for (p = target; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
	}
	return false;
}

int path_check_symlink(const char *linkpath, const char *target, struct kp_error *err)
{
	char dir[4096];
	const char *slash = strrchr(linkpath, '/');
	size_t n = slash ? (size_t)(slash - linkpath) : 0;

	if (!utf8_valid(target, strlen(target)))
		return kp_fail(err, EILSEQ, "symlink '%s' has a target that is not valid UTF-8: fix the link in the source tree", linkpath);
	if (n >= sizeof(dir))
		return kp_fail(err, ENAMETOOLONG, "symlink '%s': path too long", linkpath);
	memcpy(dir, linkpath, n);
	dir[n] = '\0';
	if (escapes(path_strip_dot(dir), target))
		return kp_fail(err, EXDEV, "symlink '%s' -> '%s' points outside the image root (through '..'): "
			       "make the link absolute or keep it inside the tree", linkpath, target);
	return 0;
}

int path_check_hardlink(const char *linkpath, const char *target, struct kp_error *err)
{
	if (!utf8_valid(target, strlen(target)))
		return kp_fail(err, EILSEQ, "hardlink '%s' has a target name that is not valid UTF-8", linkpath);
	if (target[0] == '/' || has_dotdot(target) || *path_strip_dot(target) == '\0')
		return kp_fail(err, EXDEV, "hardlink '%s' -> '%s' points outside the image root: "
			       "a hardlink may only name another file of the image", linkpath, target);
	return 0;
}
