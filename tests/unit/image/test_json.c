/* The one JSON emitter: every string escaped the same way, so config and
 * manifest digests depend only on their content. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static char *escaped(const char *s)
{
	struct jbuf b = {0};
	json_escape(&b, s);
	return b.data;
}

int main(void)
{
	char *s;
	struct jw w = {0};
	struct jval v;
	struct kp_error err;

	s = escaped("plain"); is_str(s, "\"plain\"", "plain text is only quoted"); free(s);
	s = escaped("a\"b\\c"); is_str(s, "\"a\\\"b\\\\c\"", "quote and backslash are escaped"); free(s);
	s = escaped("l1\nl2\tx\r"); is_str(s, "\"l1\\nl2\\tx\\r\"", "newline, tab, CR use short escapes"); free(s);
	s = escaped("\x01\x1f"); is_str(s, "\"\\u0001\\u001f\"", "other control characters become \\u00XX"); free(s);
	s = escaped("<a&b>"); is_str(s, "\"\\u003ca\\u0026b\\u003e\"", "<, & and > are escaped as Go's encoder does"); free(s);
	s = escaped("Főtanúsítvány"); is_str(s, "\"Főtanúsítvány\"", "UTF-8 passes through unchanged"); free(s);

	jw_begin_object(&w);
	jw_key(&w, "a"); jw_int(&w, 1);
	jw_key(&w, "b"); jw_begin_array(&w); jw_string(&w, "x"); jw_string(&w, "y"); jw_end_array(&w);
	jw_key(&w, "c"); jw_begin_object(&w); jw_end_object(&w);
	jw_key(&w, "d"); jw_bool(&w, true);
	jw_end_object(&w);
	is_str(w.out.data, "{\"a\":1,\"b\":[\"x\",\"y\"],\"c\":{},\"d\":true}", "emitter places commas and colons exactly");

	ok(json_parse(w.out.data, w.out.len, "test", &v, &err) == 0, "emitted JSON parses back");
	is_int(json_get(&v, "a")->num, 1, "number member read back");
	is_str(json_get(&v, "b")->kids[1].str, "y", "array member read back");
	json_free(&v);
	jbuf_free(&w.out);

	{
		const char *doc = "{\"s\":\"\\u00e9\\ud83d\\ude00\"}";
		ok(json_parse(doc, strlen(doc), "t", &v, &err) == 0, "\\u escapes and surrogate pairs parse");
	}
	is_str(json_get_str(&v, "s"), "é😀", "escapes decode to UTF-8");
	json_free(&v);
	ok(json_parse("{\"a\":1,}", 8, "bad.json", &v, &err) < 0, "a trailing comma is refused");
	like_str(err.msg, "bad.json is not valid JSON at byte", "the parse error names the document and the byte");
	ok(json_parse("[1] x", 5, "t", &v, &err) < 0, "trailing bytes are refused");
	return done_testing();
}
