/* Layers are deterministic: entries sorted by path, whiteouts named as the
 * OCI spec says, and a known small tree always gives the same digest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "layer.h"
#include "tap.h"
#include "tree.h"

/* sha256 of the tar of one file "f" = "kopanion\n", mode 0644, uid/gid 0, mtime 0,
 * pax-restricted (plain ustar here), as libarchive 3.6 writes it. */
#define KNOWN_LAYER_SHA256 "b7aa666a04e53d18717459384a95b3721ce22a87814209085e560361c6644fce"

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void make_tree(const char *root)
{
	char p[512];

	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/usr", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr/bin", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/hostname", root); put(p, "kopanion\n", 0644);
	snprintf(p, sizeof(p), "%s/usr/bin/hello", root); put(p, "#!/bin/sh\necho hello\n", 0755);
	snprintf(p, sizeof(p), "%s/a-b", root); put(p, "dash\n", 0600);
	snprintf(p, sizeof(p), "%s/bin", root); symlink("usr/bin", p);
	snprintf(p, sizeof(p), "%s/usr/bin/hi", root);
	{
		char q[512];
		snprintf(q, sizeof(q), "%s/usr/bin/hello", root);
		link(q, p);
	}
}

int main(void)
{
	char dir[] = "/tmp/kp-unit-layer.XXXXXX", root[600], out[600], out2[600], base[600], p[700], cmd[800];
	char hex[KP_DIGEST_HEX_MAX], hex2[KP_DIGEST_HEX_MAX], wh[256];
	struct layer_opts o = { .epoch = 1700000000 };
	struct layer_stats st;
	struct kp_error err;
	struct tree t;
	FILE *f;
	char line[512], listing[4096] = "";

	if (!mkdtemp(dir))
		return 1;
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(base, sizeof(base), "%s/base", dir);
	snprintf(out, sizeof(out), "%s/l1.tar", dir);
	snprintf(out2, sizeof(out2), "%s/l2.tar", dir);
	make_tree(root);
	make_tree(base);

	ok(tree_read(&t, root, &err) == 0, "a small tree reads");
	is_int(t.n, 8, "8 entries, not the root itself");
	is_str(t.v[0].path, "a-b", "sorted bytewise: 'a-b' first");
	is_str(t.v[1].path, "bin", "then 'bin'");
	is_str(t.v[4].path, "usr", "'usr' before its children");
	is_str(t.v[7].path, "usr/bin/hi", "hardlink member sorted by its own name");
	ok(tree_find(&t, "usr/bin/hello") == 6, "binary search finds an entry");
	tree_free(&t);

	is_int(layer_whiteout_name("etc/hostname", wh, sizeof(wh)), 0, "whiteout name fits");
	is_str(wh, "etc/.wh.hostname", "whiteout of a nested path");
	layer_whiteout_name("top", wh, sizeof(wh));
	is_str(wh, ".wh.top", "whiteout at the top");

	o.root = root;
	o.output = out;
	ok(layer_write(&o, &st, &err) == 0, "a full layer is written");
	is_int(st.entries, 8, "every entry is in the full layer");
	/* the same tree copied by other means must give the same bytes:
	 * mtimes are clamped, owners numeric, order fixed */
	snprintf(cmd, sizeof(cmd), "touch -d @1800000000 %s/etc/hostname", root);
	ok(system(cmd) == 0, "a later mtime (clamped to the epoch)");
	o.output = out2;
	ok(layer_write(&o, &st, &err) == 0, "written again");
	kp_digest_file(KP_DIGEST_SHA256, out, hex, NULL, &err);
	kp_digest_file(KP_DIGEST_SHA256, out2, hex2, NULL, &err);
	is_str(hex, hex2, "same tree, later mtimes past the epoch: byte-identical layer");

	snprintf(cmd, sizeof(cmd), "tar -tvf %s --numeric-owner --full-time", out);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		strncat(listing, line, sizeof(listing) - strlen(listing) - 1);
	if (f)
		pclose(f);
	like_str(listing, "-rwxr-xr-x 0/0              21 2023-11-14 22:13:20 usr/bin/hello", "mtime clamped to the epoch, numeric owner");
	like_str(listing, "hrwxr-xr-x 0/0               0 2023-11-14 22:13:20 usr/bin/hi link to usr/bin/hello", "second hardlink member is a link");
	ok(strstr(listing, "a-b") < strstr(listing, "bin -> usr/bin"), "entries are in path order in the tar");

	/* the diff: one file changed, one removed, one added */
	snprintf(p, sizeof(p), "%s/etc/hostname", root); unlink(p);
	snprintf(p, sizeof(p), "%s/usr/bin/hello", root); put(p, "#!/bin/sh\necho bye\n", 0755);
	snprintf(p, sizeof(p), "%s/etc/new", root); put(p, "new\n", 0644);
	o.base = base;
	o.output = out;
	ok(layer_write(&o, &st, &err) == 0, "a diff layer is written");
	is_int(st.whiteouts, 1, "one whiteout for the removed file");
	listing[0] = '\0';
	snprintf(cmd, sizeof(cmd), "tar -tf %s", out);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		strncat(listing, line, sizeof(listing) - strlen(listing) - 1);
	if (f)
		pclose(f);
	is_str(listing, "etc/\netc/.wh.hostname\netc/new\nusr/\nusr/bin/\nusr/bin/hello\nusr/bin/hi\n",
	       "diff: parents, whiteout, added and changed files, in path order; unchanged ones left out");

	/* a known tiny layer: one file, fixed bytes -> fixed digest */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/k && mkdir -p %s/k && printf 'kopanion\\n' > %s/k/f && chmod 0644 %s/k/f && "
		 "chmod 0755 %s/k", dir, dir, dir, dir, dir);
	ok(system(cmd) == 0, "known tree made");
	snprintf(p, sizeof(p), "%s/k", dir);
	o.root = p;
	o.base = NULL;
	o.epoch = 0;
	o.output = out;
	ok(layer_write(&o, &st, &err) == 0, "known layer written");
	kp_digest_file(KP_DIGEST_SHA256, out, hex, NULL, &err);
	snprintf(cmd, sizeof(cmd), "%s/known.sha", dir);
	is_int(st.bytes, 2048, "one 512-byte header, one data block, two zero end blocks (a file is not padded to 10 KiB)");
	is_str(hex, KNOWN_LAYER_SHA256, "digest of the known one-file layer is stable (uid 0, mode 0644, mtime 0)");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	return done_testing();
}
