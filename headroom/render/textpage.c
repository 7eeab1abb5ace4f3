/*
 * textpage.c - laying out struct hr_text on cairo pages (headroom/render):
 * see hr_text.h. Word wrap by measured widths, blocks kept together.
 * Depends on cairo and libc only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_text.h"
#include "banned.h"

#define MARGIN 24.0
#define INDENT 16.0

int hr_text_add(struct hr_text *t, enum hr_text_style style, unsigned block, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		struct hr_text_par *p = realloc(t->par, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->par = p;
		t->cap = cap;
	}
	t->par[t->n].text = strdup(buf);
	if (!t->par[t->n].text)
		return -ENOMEM;
	t->par[t->n].style = style;
	t->par[t->n].block = block;
	t->n++;
	return 0;
}

void hr_text_release(struct hr_text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->par[i].text);
	free(t->par);
	*t = (struct hr_text){0};
}

struct style {
	double size, line, before, indent;
	bool bold, mono;
};

static struct style style_of(enum hr_text_style s)
{
	switch (s) {
	case HR_TEXT_HEADING:
		return (struct style){.size = 13, .line = 17, .before = 12, .bold = true};
	case HR_TEXT_SUBHEAD:
		return (struct style){.size = 10.5, .line = 14, .before = 9, .bold = true};
	case HR_TEXT_ITEM:
		return (struct style){.size = 9, .line = 12, .before = 3, .indent = INDENT};
	case HR_TEXT_MONO:
		return (struct style){.size = 8, .line = 10.5, .before = 0, .mono = true};
	case HR_TEXT_BODY:
	default:
		return (struct style){.size = 9, .line = 12, .before = 3};
	}
}

static void set_font(cairo_t *cr, const struct style *st)
{
	cairo_select_font_face(cr, st->mono ? "monospace" : "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       st->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, st->size);
}

static double width_of(cairo_t *cr, const char *s, size_t n)
{
	char buf[4096];
	cairo_text_extents_t e;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	cairo_text_extents(cr, buf, &e);
	return e.x_advance;
}

/*
 * The length of the next line of S that fits in AVAIL points: whole words,
 * or as many bytes as fit (UTF-8 sequences kept whole) for a word wider
 * than the line. *ret_skip: the spaces after it.
 */
static size_t next_line(cairo_t *cr, const char *s, double avail, size_t *ret_skip)
{
	size_t len = strlen(s), best = 0, i = 0;

	*ret_skip = 0;
	if (width_of(cr, s, len) <= avail)
		return len;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ' ')
			j++;
		if (width_of(cr, s, j) > avail)
			break;
		best = j;
		i = j;
		while (i < len && s[i] == ' ')
			i++;
	}
	if (best == 0) { /* one word wider than the line: cut it */
		size_t k = 1;
		while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
			k++;
		best = k;
		for (size_t m = k; m < len;) {
			size_t n = m + 1;
			while (n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
				n++;
			if (width_of(cr, s, n) > avail)
				break;
			best = m = n;
		}
	}
	while (best + *ret_skip < len && s[best + *ret_skip] == ' ')
		(*ret_skip)++;
	return best;
}

/* Height of paragraph P when wrapped to WIDTH (DRAW: and draw it from *y). */
static double paragraph(cairo_t *cr, const struct hr_text_par *p, double width, bool draw,
			double y)
{
	struct style st = style_of(p->style);
	double x = MARGIN + st.indent, avail = width - MARGIN - x, h = st.before;
	const char *s = p->text;

	set_font(cr, &st);
	if (draw && p->style == HR_TEXT_ITEM) {
		cairo_move_to(cr, MARGIN + 4, y + st.before + st.line - 3);
		cairo_show_text(cr, "\xe2\x80\xa2");
	}
	do {
		size_t skip, n = p->style == HR_TEXT_MONO ? strlen(s) : next_line(cr, s, avail, &skip);
		char buf[4096];

		if (p->style == HR_TEXT_MONO)
			skip = 0;
		h += st.line;
		if (draw) {
			snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
			cairo_move_to(cr, x, y + h - 3);
			cairo_show_text(cr, buf);
		}
		s += n + skip;
	} while (*s);
	return h;
}

void hr_text_draw(cairo_t *cr, const struct hr_text *t, double width, double head, double height,
		  void (*new_page)(cairo_t *cr, const void *arg), const void *arg)
{
	double top = head + 8, bottom = height - 24, y = top;

	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	for (size_t i = 0; i < t->n;) {
		size_t j = i + 1;
		double need = 0;

		while (j < t->n && t->par[j].block == t->par[i].block)
			j++;
		for (size_t k = i; k < j; k++)
			need += paragraph(cr, &t->par[k], width, false, 0);
		/* a block that does not fit here but fits on a page starts one */
		if (y > top && y + need > bottom && need <= bottom - top) {
			cairo_show_page(cr);
			new_page(cr, arg);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			y = top;
		}
		for (size_t k = i; k < j; k++) {
			double h = paragraph(cr, &t->par[k], width, false, 0);
			if (y > top && y + h > bottom) { /* a block taller than a page */
				cairo_show_page(cr);
				new_page(cr, arg);
				cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
				y = top;
			}
			paragraph(cr, &t->par[k], width, true, y);
			y += h;
		}
		i = j;
	}
}
