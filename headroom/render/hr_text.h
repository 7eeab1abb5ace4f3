/*
 * hr_text.h - text pages of a PDF report (headroom/render): a list of
 * styled paragraphs (headings, wrapped body text, bullet items, rows of a
 * fixed-width table), laid out by textpage.c on cairo pages: wrapped to the
 * page width, never clipped, and a block of paragraphs (a resource and its
 * findings, a table) kept on one page when it fits on one. No analyze, no
 * SQLite; never logs.
 */
#ifndef HR_TEXT_H
#define HR_TEXT_H

#include <stddef.h>

#include <cairo.h>

enum hr_text_style {
	HR_TEXT_HEADING, /* a section: bold, larger, space above */
	HR_TEXT_SUBHEAD, /* a resource and its verdict: bold */
	HR_TEXT_BODY,	 /* wrapped text */
	HR_TEXT_ITEM,	 /* wrapped text, indented under a bullet */
	HR_TEXT_MONO,	 /* one row of a fixed-width table (not wrapped) */
};

struct hr_text_par {
	enum hr_text_style style;
	unsigned block; /* paragraphs in a row with one block number stay together */
	char *text;	/* owned, UTF-8 */
};

/* A growable list of paragraphs; zero-initialise, hr_text_release() frees. */
struct hr_text {
	struct hr_text_par *par;
	size_t n, cap;
};

/* Append a paragraph (printf-style, at most 4 KiB). 0 or -ENOMEM. */
int hr_text_add(struct hr_text *t, enum hr_text_style style, unsigned block, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
void hr_text_release(struct hr_text *t); /* NULL and empty allowed */

/*
 * Lay T out on CR from the top of the current page (below HEAD points of
 * header), WIDTH x HEIGHT points, continuing on new pages: NEW_PAGE(CR,
 * ARG) is called after each cairo_show_page() to paint the page's
 * background and header.
 */
void hr_text_draw(cairo_t *cr, const struct hr_text *t, double width, double head, double height,
		  void (*new_page)(cairo_t *cr, const void *arg), const void *arg);

#endif
