// The launcher (desktop.h): a panel under the bar listing the installed apps (icon, name,
// and whether it runs), filtered by what is typed in its field; Up/Down and Enter, or a
// click, start one. A refusal (a capability the session lacks) shows in its last line.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/keycodes.h>
#include <nx/log.h>
#include "desktop.h"

#define W 480
#define H 360
#define PAD 8
#define FIELD_H 28
#define STATUS_H 24
#define ITEM_MAX (NX_APP_ICON_MAX + NX_APP_NAME_MAX + 16)
#define FILTER_MAX NX_APP_NAME_MAX

static struct {
    struct panel p;
    struct nx_field field;
    struct nx_list list;
    struct nx_label status;
    char typed[FILTER_MAX];             // the field's buffer
    char filter[FILTER_MAX + 1];        // what the list is filtered by
    char items[NX_APP_MAX][ITEM_MAX];
    const char *item_ptrs[NX_APP_MAX];
    size_t app_of[NX_APP_MAX];          // the app each item shows
    size_t count;
    char status_text[160];
} L;

// Whether name holds filter, ignoring ASCII case.
static bool matches(const char *name, const char *filter)
{
    size_t n = strlen(name), k = strlen(filter);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && tolower((unsigned char)name[i + j]) == tolower((unsigned char)filter[j]))
            j++;
        if (j == k)
            return true;
    }
    return false;
}

// The items of the apps matching the filter, in the list; logged, so what the launcher
// shows can be read off the console too.
static void fill(void)
{
    char line[160] = "";
    size_t used = 0;
    L.count = 0;
    for (size_t i = 0; i < desktop_apps.n; i++) {
        const struct app *a = &desktop_apps.app[i];
        if (!matches(a->m.name, L.filter))
            continue;
        snprintf(L.items[L.count], ITEM_MAX, "%s  %s%s", a->m.icon, a->m.name,
                 a->proc ? "  \xe2\x80\xa2 running" : "");
        L.item_ptrs[L.count] = L.items[L.count];
        L.app_of[L.count++] = i;
        if (used < sizeof line)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s%s", used ? ", " : "",
                                     a->m.name, a->proc ? " [running]" : "");
    }
    int32_t keep = L.list.selected;
    nx_list_set_items(&L.list, L.item_ptrs, L.count);
    nx_list_select(&L.list, L.count ? (keep >= 0 && (size_t)keep < L.count ? keep : 0) : -1);
    nx_log(NX_LOG_INFO, "launcher: \"%s\": %s", L.filter, L.count ? line : "no app");
}

static void say(const char *text)
{
    snprintf(L.status_text, sizeof L.status_text, "%s", text);
    nx_label_set(&L.status, L.status_text, strlen(L.status_text));
}

static void start_selected(void)
{
    int32_t sel = L.list.selected;
    if (sel < 0 || (size_t)sel >= L.count)
        return;
    size_t i = L.app_of[sel];
    const struct app *a = &desktop_apps.app[i];
    char why[80], text[160];
    long err = apps_start(&desktop_apps, i, desktop_notif, why, sizeof why);
    if (err == NX_ERR_BAD_STATE) {
        snprintf(text, sizeof text, "%s is running", a->m.name);
        say(text);
        return;
    }
    if (err) {
        snprintf(text, sizeof text, "%s refused: %s", a->m.name, why);
        nx_log(NX_LOG_WARN, "%s (%ld)", text, err);
        say(text);
        return;
    }
    nx_log(NX_LOG_INFO, "started %s (%s)", a->m.name, a->m.program);
    launcher_close();
}

void launcher_open(void)
{
    if (L.p.up)
        return;
    if (panel_open(&L.p, (struct nx_gfx_rect){ 0, BAR_H, W, H }, "Launcher"))
        return;
    L.filter[0] = '\0';
    nx_field_init(&L.field, (struct nx_gfx_rect){ PAD, PAD, W - 2 * PAD, FIELD_H }, L.typed,
                  FILTER_MAX);
    L.field.placeholder = "Type to filter";
    int32_t list_y = 2 * PAD + FIELD_H;
    nx_list_init(&L.list, (struct nx_gfx_rect){ PAD, list_y, W - 2 * PAD,
                                                H - list_y - STATUS_H - 2 * PAD }, NULL, 0);
    nx_label_init(&L.status, (struct nx_gfx_rect){ PAD, H - PAD - STATUS_H, W - 2 * PAD,
                                                   STATUS_H }, "", 0);
    L.status.muted = true;
    nx_ui_add(&L.p.ui, &L.field.base);
    nx_ui_add(&L.p.ui, &L.list.base);
    nx_ui_add(&L.p.ui, &L.status.base);
    nx_ui_focus(&L.p.ui, &L.field.base);
    L.list.selected = -1;
    say(desktop_apps.n ? "Enter starts the selected app" : "No app installed");
    fill();
    panel_present(&L.p);
}

void launcher_close(void)
{
    panel_close(&L.p);
}

bool launcher_is_open(void)
{
    return L.p.up;
}

void launcher_refresh(void)
{
    if (!L.p.up)
        return;
    fill();
    panel_present(&L.p);
}

// Keys the launcher takes before its field: moving in the list, starting, closing.
static bool launcher_key(const struct nx_wm_event *ev)
{
    if (!ev->key.state)
        return false;
    switch (ev->key.code) {
    case NX_KEY_UP:
    case NX_KEY_DOWN: {
        int32_t sel = L.list.selected + (ev->key.code == NX_KEY_UP ? -1 : 1);
        if (sel >= 0 && (size_t)sel < L.count)
            nx_list_select(&L.list, sel);
        return true;
    }
    case NX_KEY_ENTER:
    case NX_KEY_KPENTER:
        if (ev->key.state == 1)
            start_selected();
        return true;
    case NX_KEY_ESC:
        launcher_close();
        return true;
    }
    return false;
}

bool launcher_event(const struct nx_wm_event *ev)
{
    if (!panel_owns(&L.p, ev))
        return false;
    if (ev->type == NX_WM_EV_FRAME_DONE) {
        panel_frame_done(&L.p);
        return true;
    }
    if (ev->type == NX_WM_EV_KEY && launcher_key(ev)) {
        panel_present(&L.p);
        return true;
    }
    uint32_t before = L.p.ui.buttons;
    struct nx_widget *hit = nx_ui_event(&L.p.ui, ev);
    bool clicked = ev->type == NX_WM_EV_POINTER && (ev->pointer.buttons & ~before &
                                                    NX_WM_BUTTON_LEFT) &&
                   nx_gfx_rect_contains(L.list.base.rect,
                                        (struct nx_gfx_rect){ ev->pointer.x, ev->pointer.y, 1, 1 });
    if (hit == &L.field.base || hit == &L.list.base || clicked) {
        start_selected();
    } else if (L.field.len != strlen(L.filter) || memcmp(L.typed, L.filter, L.field.len)) {
        memcpy(L.filter, L.typed, L.field.len);
        L.filter[L.field.len] = '\0';
        fill();
    }
    panel_present(&L.p);
    return true;
}
