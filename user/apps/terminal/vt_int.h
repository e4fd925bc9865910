#pragma once
// What the emulator's files share (vt.c: the grid; vt_parse.c: the parser; vt_input.c: keys
// and selection). Rows are screen rows (0 = the top of the live screen; negative: scrollback).
#include "vt.h"

struct vt_cell *vt_line(const struct vt *vt, int row);
struct vt_cell vt_blank(const struct vt *vt);
// Blank columns from..to-1 of row (clamped), marking the cells that changed dirty.
void vt_fill(struct vt *vt, int row, int from, int to);
// Puts c at col of row (in range), marking it dirty if it changed.
void vt_put(struct vt *vt, int row, int col, struct vt_cell c);
// Columns from..to-1 of row (clamped) to redraw; the whole row.
void vt_dirty_cells(struct vt *vt, int row, int from, int to);
void vt_dirty_row(struct vt *vt, int row);
// Rows top..bottom up (down) by n; history: lines leaving the whole screen go to the scrollback.
void vt_scroll_up(struct vt *vt, int top, int bottom, int n, bool history);
void vt_scroll_down(struct vt *vt, int top, int bottom, int n);
void vt_set_wrapped(struct vt *vt, int row, bool w);
bool vt_line_wrapped(const struct vt *vt, int row);
