#pragma once
// The compositor's region maths (pure; host-tested): which window owns each pixel of a
// damaged rectangle, so every damaged pixel is composed once, from the topmost window over it.
#include <stddef.h>
#include <nx/gfx.h>

// a minus b as at most 4 disjoint rectangles into out: a's rows above b and below b (a's
// whole width), then the parts left and right of b in b's rows. Returns the count (0: b
// covers a; 1 and a itself: they do not overlap).
size_t region_subtract(struct nx_gfx_rect a, struct nx_gfx_rect b, struct nx_gfx_rect out[4]);

// Called for each piece of a split: the layer that owns it (-1: none of them).
typedef void (*region_piece_fn)(void *ctx, int layer, struct nx_gfx_rect piece);

// Split d among the layers [from, to) of layers[] (index 0 the topmost): fn gets disjoint,
// non-empty pieces covering d exactly, each with the topmost layer over it, or -1 where no
// layer is. Recursion depth at most to - from.
void region_split(const struct nx_gfx_rect *layers, int from, int to, struct nx_gfx_rect d,
                  region_piece_fn fn, void *ctx);
