#pragma once
// The editor's file: loading it whole, and saving it so that a failure loses nothing.
#include "textbuf.h"

#define EDITOR_MAX_BYTES (1u << 20)   // the largest file the editor opens

// The file at path into tb: NX_ERR_NOT_FOUND (a new file: tb empty), NX_ERR_TOO_BIG (larger
// than tb holds: tb empty), or the file system's error.
long editor_load(const char *path, struct textbuf *tb);
// tb's text written to a temporary file beside path, made durable, then renamed over path
// (and the rename made durable): on any failure path is as it was and the temporary gone.
long editor_save(const char *path, const struct textbuf *tb);
