/*
 * hr-pngcheck.c - test helper (tests/headroom): decode a PNG with cairo
 * and check its size and that it is not one uniform colour (a chart was
 * drawn). Exit 0 when it is, 1 with a one-line reason otherwise.
 *
 *   hr-pngcheck FILE WIDTH HEIGHT	(HEIGHT 0: any)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "banned.h"

int main(int argc, char **argv)
{
	cairo_surface_t *s;
	int w, h, stride, want_w, want_h, colours = 0;
	unsigned char *d;
	uint32_t first = 0, seen[8];

	if (argc != 4) {
		fprintf(stderr, "usage: hr-pngcheck FILE WIDTH HEIGHT\n");
		return 2;
	}
	want_w = (int)strtol(argv[2], NULL, 10);
	want_h = (int)strtol(argv[3], NULL, 10);
	s = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		printf("%s: not a PNG: %s\n", argv[1],
		       cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return 1;
	}
	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	d = cairo_image_surface_get_data(s);
	if (w != want_w || (want_h && h != want_h)) {
		printf("%s: %dx%d, expected %dx%d\n", argv[1], w, h, want_w, want_h);
		cairo_surface_destroy(s);
		return 1;
	}
	for (int y = 0; y < h && colours < 8; y++)
		for (int x = 0; x < w && colours < 8; x++) {
			uint32_t px;
			bool known = false;
			memcpy(&px, d + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
			px &= 0xffffff;
			if (x == 0 && y == 0)
				first = px;
			for (int i = 0; i < colours; i++)
				known |= seen[i] == px;
			if (!known)
				seen[colours++] = px;
		}
	cairo_surface_destroy(s);
	if (colours < 8) {
		printf("%s: only %d colours (first 0x%06x): nothing drawn?\n", argv[1], colours,
		       (unsigned)first);
		return 1;
	}
	printf("ok: %s %dx%d\n", argv[1], w, h);
	return 0;
}
