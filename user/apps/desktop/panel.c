// Panels (desktop.h): the desktop's surfaces are top surfaces of the compositor, above
// every window, each holding a form of widgets that draws only what changed.
#include <nexus/errors.h>
#include "desktop.h"

#define PANELS_MAX 4   // the bar, the launcher, the menu

static struct panel *open_panels[PANELS_MAX];   // the panels up, for panels_retheme

static void remember(struct panel *p, struct panel *as)
{
    for (size_t i = 0; i < PANELS_MAX; i++)
        if (open_panels[i] == as) {
            open_panels[i] = p;
            return;
        }
}

long panel_open(struct panel *p, struct nx_gfx_rect r, const char *title)
{
    if (p->up)
        return NX_OK;
    long err = nx_wm_surface_create(&desktop_wm, r.w, r.h, r.x, r.y,
                                    NX_WM_SURFACE_TOP | NX_WM_SURFACE_OPAQUE, title, &p->surf);
    if (err)
        return err;
    nx_ui_init(&p->ui, &p->surf.gfx, desktop_theme);
    remember(p, NULL);
    p->up = true;
    p->frame_pending = false;
    return NX_OK;
}

void panel_close(struct panel *p)
{
    if (!p->up)
        return;
    nx_wm_surface_destroy(&desktop_wm, &p->surf);
    remember(NULL, p);
    p->up = false;
}

void panels_retheme(void)
{
    for (size_t i = 0; i < PANELS_MAX; i++)
        if (open_panels[i]) {
            nx_ui_set_theme(&open_panels[i]->ui, desktop_theme);
            panel_present(open_panels[i]);
        }
}

void panel_present(struct panel *p)
{
    if (!p->up || p->frame_pending)
        return;
    nx_ui_draw(&p->ui);
    const struct nx_gfx_damage *d = &p->ui.damage;
    if (nx_gfx_damage_empty(d))
        return;
    if (nx_wm_present(&desktop_wm, &p->surf, d->rects, d->count) == NX_OK)
        p->frame_pending = true;
    nx_gfx_damage_clear(&p->ui.damage);
}

bool panel_owns(const struct panel *p, const struct nx_wm_event *ev)
{
    return p->up && ev->surface == p->surf.id;
}

void panel_frame_done(struct panel *p)
{
    p->frame_pending = false;
    panel_present(p);
}
