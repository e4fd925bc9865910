#pragma once
// App manifests (docs/desktop.md, "App manifests"): one small text file per installed app in
// the boot archive (/boot/NAME.app), read by the desktop's launcher. Each names the app, its
// icon, the program it runs (/boot/PROGRAM), its page budget and the capabilities (named
// startup handles of the session) it asks for:
//
//     # The Terminal
//     name Terminal
//     icon >_
//     program terminal
//     pages 6144
//     caps log svcmgr exec proc net dir:/ cwd dir:/boot
//
// The parser is pure C over a buffer (host-tested and fuzzed): every rule below is checked,
// and a file breaking one is refused whole with its line and a reason.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NX_APP_SUFFIX      ".app"
#define NX_APP_FILE_MAX    2048   // bytes of a manifest
#define NX_APP_LINE_MAX    160    // bytes of a line, its newline not counted
#define NX_APP_NAME_MAX    31     // bytes of the name (UTF-8 text, no control characters)
#define NX_APP_ICON_MAX    15     // bytes of the icon: a short glyph, or a file name
#define NX_APP_PROGRAM_MAX 31     // bytes of the program's name: [a-z0-9_-]
#define NX_APP_CAP_MAX     23     // bytes of a capability's name: [a-z0-9_:/.-]
#define NX_APP_CAPS_MAX    12     // capabilities an app asks for
#define NX_APP_PAGES_MIN   16
#define NX_APP_PAGES_MAX   16384  // the program's page budget (nx_load_params.budget_pages)
#define NX_APP_MAX         32     // apps a launcher lists
#define NX_APP_ERROR_MAX   63     // bytes of an error's reason

struct nx_app {
    char name[NX_APP_NAME_MAX + 1];
    char icon[NX_APP_ICON_MAX + 1];
    char program[NX_APP_PROGRAM_MAX + 1];
    uint32_t pages;
    uint32_t ncaps;
    char caps[NX_APP_CAPS_MAX][NX_APP_CAP_MAX + 1];
};

struct nx_app_error {
    unsigned line;                        // 1-based; 0: the file as a whole
    char why[NX_APP_ERROR_MAX + 1];
};

// Parse text[0..len) into *app. NX_OK, or (app cleared, *err says where and why):
//   NX_ERR_TOO_BIG  the file over NX_APP_FILE_MAX bytes, a line over NX_APP_LINE_MAX, a field
//                   over its bound, more than NX_APP_CAPS_MAX capabilities
//   NX_ERR_INVALID  a NUL, a CR or a control character, malformed UTF-8, a line not
//                   "field value" (one space), an unknown or repeated field, a value breaking
//                   its field's rule, a repeated capability, a required field missing (name,
//                   icon, program, pages; caps may be left out: none)
// Lines that are empty or start with '#' are skipped.
long nx_app_parse(const char *text, size_t len, struct nx_app *app, struct nx_app_error *err);

// Whether app asks for the capability cap.
bool nx_app_wants(const struct nx_app *app, const char *cap);

// Whether name (a file name) is an app manifest's: NAME.app, NAME not empty.
bool nx_app_is_manifest(const char *name);

// Read the manifest file at path (through this process's namespace) and parse it:
// nx_app_parse's result, or NX_ERR_NOT_FOUND (no such file) / NX_ERR_IO (unreadable), with
// *err saying so (line 0).
long nx_app_read(const char *path, struct nx_app *app, struct nx_app_error *err);
