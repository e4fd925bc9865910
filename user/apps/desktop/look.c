// The desktop's look (desktop.h): its theme and its clock's time zone are the settings'
// (docs/settings.md), read at start and followed through a watch (BIT_SETTINGS): a change
// costs one wake-up and one LIST, and nothing else wakes the desktop for it. Without the
// settings service the defaults hold (the dark theme, UTC).
#include <nx/log.h>
#include <nx/settings.h>
#include "desktop.h"

static struct nx_settings settings;
static const struct nx_face *face;
static const struct nx_glyph_source *glyphs;

static void make_theme(struct nx_theme *t)
{
    (nx_settings_dark(&settings) ? nx_theme_dark : nx_theme_light)(t, face, glyphs);
}

void look_start(struct nx_theme *t, const struct nx_face *f, const struct nx_glyph_source *g)
{
    face = f;
    glyphs = g;
    long err = nx_settings_follow(&settings, desktop_notif, BIT_SETTINGS);
    if (err)
        nx_log(NX_LOG_INFO, "no settings service (%ld): theme %s, %s", err,
               settings.value[NX_SETTING_THEME], settings.value[NX_SETTING_TIME_ZONE]);
    make_theme(t);
}

uint32_t look_refresh(struct nx_theme *t)
{
    uint32_t keys = nx_settings_refresh(&settings);
    if (keys & LOOK_THEME) {
        make_theme(t);
        nx_log(NX_LOG_INFO, "theme %s", settings.value[NX_SETTING_THEME]);
    }
    return keys;
}

uint64_t look_local_s(uint64_t unix_s)
{
    return nx_settings_local_s(&settings, unix_s);
}

const char *look_zone(void)
{
    return settings.value[NX_SETTING_TIME_ZONE];
}
