#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strbuf.h"

static void add(struct kp_diags *d, enum kp_severity severity, struct kp_buf *text)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct kp_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items)
			kp_out_of_memory();
		d->items = items;
		d->cap = cap;
	}
	d->items[d->n].severity = severity;
	d->items[d->n].text = text->data ? text->data : strdup("");
	d->n++;
	if (severity == KP_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static void add_v(struct kp_diags *d, enum kp_severity severity, struct kp_buf *text,
		  const char *fmt, va_list ap)
{
	va_list copy;
	char small[1];
	int n;
	char *msg;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		kp_out_of_memory();
	msg = malloc((size_t)n + 1);
	if (!msg)
		kp_out_of_memory();
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	if (severity == KP_WARNING)
		kp_buf_puts(text, "warning: ");
	kp_buf_puts(text, msg);
	free(msg);
	add(d, severity, text);
}

void kp_diag_at(struct kp_diags *d, enum kp_severity severity, const struct kp_mark *mark,
		const char *fmt, ...)
{
	struct kp_buf text = { 0 };
	va_list ap;

	kp_buf_printf(&text, "%s:%lu:%lu: ", mark->file, mark->line, mark->col);
	va_start(ap, fmt);
	add_v(d, severity, &text, fmt, ap);
	va_end(ap);
}

void kp_diag_file(struct kp_diags *d, enum kp_severity severity, const char *file,
		  const char *fmt, ...)
{
	struct kp_buf text = { 0 };
	va_list ap;

	kp_buf_printf(&text, "%s: ", file);
	va_start(ap, fmt);
	add_v(d, severity, &text, fmt, ap);
	va_end(ap);
}

void kp_diags_print(const struct kp_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s\n", d->items[i].text);
}

void kp_diags_free(struct kp_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].text);
	free(d->items);
	memset(d, 0, sizeof(*d));
}
