/* Every hostile entry a layer could carry is refused, with a message that
 * names the entry; the ordinary ones of a Debian root tree pass. */
#include <string.h>

#include "pathsafe.h"
#include "tap.h"

int main(void)
{
	struct kp_error err;

	ok(utf8_valid("plain/ascii", 11), "ASCII is UTF-8");
	ok(utf8_valid("Főtanúsítvány", strlen("Főtanúsítvány")), "Latin accents are UTF-8");
	ok(!utf8_valid("bad\xff", 4), "0xff is not UTF-8");
	ok(!utf8_valid("\xc0\xaf", 2), "an overlong '/' is not UTF-8 (it could hide a path separator)");
	ok(!utf8_valid("\xed\xa0\x80", 3), "a UTF-16 surrogate is not UTF-8");
	ok(!utf8_valid("\xe2\x82", 2), "a truncated sequence is not UTF-8");

	is_int(path_check_name("usr/bin/env", &err), 0, "an ordinary relative name passes");
	is_int(path_check_name("./etc/passwd", &err), 0, "a './' prefix passes");
	ok(path_check_name("../etc/passwd", &err) < 0, "a leading '..' is refused");
	like_str(err.msg, "'../etc/passwd' has a '..' component", "the message names the entry and the reason");
	ok(path_check_name("usr/../../etc", &err) < 0, "a '..' inside the name is refused");
	ok(path_check_name("usr/..", &err) < 0, "a trailing '..' is refused");
	is_int(path_check_name("usr/..hidden", &err), 0, "'..hidden' is a name, not a parent reference");
	ok(path_check_name("/etc/passwd", &err) < 0, "an absolute name is refused");
	like_str(err.msg, "absolute path", "the message says why");
	ok(path_check_name("bad\xffname", &err) < 0, "a non-UTF-8 name is refused");
	like_str(err.msg, "not valid UTF-8", "the message says why");
	like_str(err.msg, "'bad\\xffname'", "the bad byte is shown escaped, not raw");

	is_int(path_check_symlink("usr/bin/awk", "/etc/alternatives/awk", &err), 0,
	       "an absolute symlink resolves inside the root");
	is_int(path_check_symlink("bin", "usr/bin", &err), 0, "a relative symlink at the top passes");
	is_int(path_check_symlink("usr/lib/x/libfoo.so", "../../../lib/libfoo.so.1", &err), 0,
	       "'..' that stays at or above the root only up to it passes");
	ok(path_check_symlink("usr/lib/libfoo.so", "../../../etc/shadow", &err) < 0, "'..' past the root is refused");
	like_str(err.msg, "points outside the image root", "the message says where it points");
	ok(path_check_symlink("etc/x", "/../../host", &err) < 0, "an absolute target climbing past the root is refused");
	ok(path_check_symlink("a", "b/../../c", &err) < 0, "climbing out after descending is refused");

	is_int(path_check_hardlink("usr/bin/b", "usr/bin/a", &err), 0, "a hardlink to another entry passes");
	ok(path_check_hardlink("usr/bin/b", "../../etc/shadow", &err) < 0, "a hardlink with '..' is refused");
	like_str(err.msg, "hardlink 'usr/bin/b' -> '../../etc/shadow'", "the message names link and target");
	ok(path_check_hardlink("usr/bin/b", "/etc/shadow", &err) < 0, "an absolute hardlink target is refused");
	return done_testing();
}
