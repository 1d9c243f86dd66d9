/* Recipe values that end up in the image config: durations in nanoseconds,
 * ports as PORT/PROTO, tags as Docker and containerd spell them. */
#include "pack.h"
#include "recipe.h"
#include "tap.h"

int main(void)
{
	long long ns = 0;
	char port[32], tag[64], full[256];

	is_int(recipe_parse_duration("30s", &ns), 0, "30s parses"); is_int(ns, 30000000000LL, "30s in ns");
	recipe_parse_duration("1m30s", &ns); is_int(ns, 90000000000LL, "1m30s in ns");
	recipe_parse_duration("500ms", &ns); is_int(ns, 500000000LL, "500ms in ns");
	recipe_parse_duration("2h", &ns); is_int(ns, 7200000000000LL, "2h in ns");
	recipe_parse_duration("45", &ns); is_int(ns, 45000000000LL, "a bare number is seconds");
	ok(recipe_parse_duration("soon", &ns) < 0, "a word is refused");
	ok(recipe_parse_duration("5x", &ns) < 0, "an unknown unit is refused");

	is_int(recipe_parse_port("25", port, sizeof(port)), 0, "a bare port parses");
	is_str(port, "25/tcp", "tcp is the default protocol");
	recipe_parse_port("53/udp", port, sizeof(port)); is_str(port, "53/udp", "udp kept");
	ok(recipe_parse_port("0", port, sizeof(port)) < 0, "port 0 is refused");
	ok(recipe_parse_port("70000/tcp", port, sizeof(port)) < 0, "a port above 65535 is refused");
	ok(recipe_parse_port("25/icmp", port, sizeof(port)) < 0, "an unknown protocol is refused");

	is_int(pack_parse_tag("kopanion/mta:0.1.0", tag, sizeof(tag), full, sizeof(full)), 0, "repo:tag parses");
	is_str(tag, "0.1.0", "the tag"); is_str(full, "docker.io/kopanion/mta:0.1.0", "containerd's full name");
	pack_parse_tag("busybox", tag, sizeof(tag), full, sizeof(full));
	is_str(tag, "latest", "no tag means latest"); is_str(full, "docker.io/library/busybox:latest", "official images are library/");
	pack_parse_tag("localhost:5000/a/b:x", tag, sizeof(tag), full, sizeof(full));
	is_str(full, "localhost:5000/a/b:x", "a registry with a port is kept as the domain");
	ok(pack_parse_tag("Kopanion/MTA:1", tag, sizeof(tag), full, sizeof(full)) < 0, "upper-case repositories are refused");
	ok(pack_parse_tag("a b:1", tag, sizeof(tag), full, sizeof(full)) < 0, "spaces are refused");
	return done_testing();
}
