// Control centre: the system's settings (the settings service, nx/settings.h) as rows of
// choices and a time-zone field, the date and time in the chosen zone, and live figures (each
// hart's load, memory, the disk's use, the uptime; libnxapp's figures.h). docs/apps.md.
//
// Every change goes through NX_SETTINGS_SET: what the service refuses changes nothing here
// either and its reason shows in the status line; what it applies is marked (a bullet before
// the chosen button) and said. The window's theme follows the theme setting.
//
// It wakes for the compositor's events and one timer, REFRESH_NS ahead with REFRESH_SLACK_NS
// of slack (the kernel may fire it with other timers); a refresh redraws only the lines whose
// text changed (the uptime's every time, the date's once a minute).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <nx/keycodes.h>
#include <nx/nx.h>
#include <nx/settings.h>
#include <nx/time.h>
#include "appwin.h"
#include "figures.h"

#define BIT_TIMER APPWIN_BIT_APP
#define REFRESH_NS 2000000000ull
#define REFRESH_SLACK_NS 250000000ull
#define LINE_BYTES 160
#define WIN_W 700
#define WIN_H 440
#define WIN_X 300
#define WIN_Y 90
#define MARGIN 12
#define TITLE_W 150
#define ROW_H 34                      // a row of buttons
#define LINE_H 24                     // a line of text
#define BUTTON_H 28
#define BUTTON_W_MAX 140
#define GAP 6
#define CHOICES_MAX 6
#define CHOICE_TEXT 24
#define FIGURES 4                     // load, memory, disk, uptime

// A setting chosen among buttons: its labels and the canonical values they set.
struct choice_row {
    enum nx_setting key;
    const char *title;
    size_t n;
    const char *labels[CHOICES_MAX], *values[CHOICES_MAX];
};

static const struct choice_row ROWS[] = {
    { NX_SETTING_POWER_MODE, "Power mode", 3, { "Performance", "Balanced", "Saver" },
      { "performance", "balanced", "saver" } },
    { NX_SETTING_THEME, "Theme", 2, { "Light", "Dark" }, { "light", "dark" } },
    { NX_SETTING_KEYBOARD_LAYOUT, "Keyboard layout", 2, { "US", "DE" }, { "us", "de" } },
    { NX_SETTING_LOCK_DELAY, "Screen lock", 6, { "Never", "30 s", "1 min", "5 min", "15 min", "1 h" },
      { "0", "30", "60", "300", "900", "3600" } },
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])
#define ZONE_ROW NROWS                // the time zone's row comes after the choices

struct control {
    struct appwin win;
    nx_handle_t timer;
    struct nx_settings cur;           // what the service has (canonical values)
    struct fig_harts harts;
    struct nx_label titles[NROWS], zone_title, date_title;
    struct nx_button choice[NROWS][CHOICES_MAX];
    char choice_text[NROWS][CHOICES_MAX][CHOICE_TEXT];
    struct nx_field zone;
    char zone_buf[NX_SETTING_VALUE_MAX + 1];
    struct nx_button zone_apply;
    struct nx_label date, figures[FIGURES], status, reason;
    char date_text[LINE_BYTES], figure_text[FIGURES][LINE_BYTES], status_text[LINE_BYTES];
    char reason_text[LINE_BYTES];
};

static struct control m;

static void set_label(struct nx_label *l, char *text, const char *now)
{
    appwin_set_label(l, text, LINE_BYTES, now);
}

// The status line, and the line under it: the service's reason for a refusal ("" after a
// success: a reason stays only as long as what it explains).
__attribute__((format(printf, 2, 3))) static void set_status(const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    appwin_vset_label(&m.status, m.status_text, LINE_BYTES, fmt, ap);
    va_end(ap);
    set_label(&m.reason, m.reason_text, reason);
}

// ---- the settings ----

// The service's settings, or the defaults (and why) when it cannot be asked.
static void load_settings(void)
{
    char text[NX_SETTINGS_FILE_MAX];
    nx_settings_defaults(&m.cur);
    long len = nx_settings_list(text, sizeof text);
    if (len < 0) {
        set_status(appwin_error(len), "No settings service: the defaults are shown");
        printf("control: no settings service (%ld)\n", len);
        return;
    }
    nx_settings_parse(text, (size_t)len, &m.cur, NULL, NULL);
}

static bool dark(void)
{
    return !strcmp(m.cur.value[NX_SETTING_THEME], "dark");
}

static void apply_theme(void)
{
    if (dark())
        nx_theme_dark(&m.win.theme, &m.win.face, &m.win.glyphs);
    else
        nx_theme_light(&m.win.theme, &m.win.face, &m.win.glyphs);
    nx_ui_set_theme(&m.win.ui, &m.win.theme);
}

// The row's buttons again, a bullet before the one holding the current value (none when the
// value is not one of the row's, a lock delay set by the settings tool, say).
static void mark_row(size_t r)
{
    const struct choice_row *row = &ROWS[r];
    for (size_t i = 0; i < row->n; i++) {
        bool on = !strcmp(m.cur.value[row->key], row->values[i]);
        char *text = m.choice_text[r][i];
        snprintf(text, CHOICE_TEXT, "%s%s", on ? "\u2022 " : "", row->labels[i]);
        m.choice[r][i].text = text;
        m.choice[r][i].len = strlen(text);
        nx_widget_dirty(&m.choice[r][i].base);
    }
}

// The date and time of the RTC in the chosen zone, to the minute.
static void show_date(void)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char line[LINE_BYTES];
    uint64_t ns;
    long err = nx_wallclock_get(&ns);
    if (err) {
        snprintf(line, sizeof line, "no clock (%s)", appwin_error(err));
    } else {
        // A plausible clock (2020 on) minus at most 12 hours stays positive.
        int64_t s = (int64_t)(ns / NX_NS_PER_S) + (int64_t)nx_settings_tz_offset_min(&m.cur) * 60;
        struct nx_utc t;
        nx_utc_from_unix((uint64_t)s, &t);
        snprintf(line, sizeof line, "%s %u %s %lld, %02u:%02u (%s)", days[t.weekday % 7], t.day,
                 months[(t.month - 1) % 12], (long long)t.year, t.hour, t.minute,
                 m.cur.value[NX_SETTING_TIME_ZONE]);
    }
    set_label(&m.date, m.date_text, line);
}

static void choose(size_t r, size_t i)
{
    const struct choice_row *row = &ROWS[r];
    const char *key = nx_setting_name(row->key);
    char why[NX_SETTINGS_WHY_MAX];
    long err = nx_settings_set(key, row->values[i], why, sizeof why);
    if (err) {
        set_status(why, "%s not changed:", row->title);
        printf("control: %s=%s refused: %s\n", key, row->values[i], why);
        return;
    }
    snprintf(m.cur.value[row->key], sizeof m.cur.value[row->key], "%s", row->values[i]);
    mark_row(r);
    if (row->key == NX_SETTING_THEME)
        apply_theme();
    set_status("", "%s: %s applied", row->title, row->labels[i]);
    printf("control: %s set to %s\n", key, row->values[i]);
}

static void set_zone(void)
{
    const char *key = nx_setting_name(NX_SETTING_TIME_ZONE);
    char value[NX_SETTING_VALUE_MAX + 1], why[NX_SETTINGS_WHY_MAX];
    snprintf(value, sizeof value, "%.*s", (int)m.zone.len, m.zone.buf);
    long err = nx_settings_set(key, value, why, sizeof why);
    if (err) {
        set_status(why, "Time zone not changed:");
        printf("control: %s=%s refused: %s\n", key, value, why);
        return;
    }
    // The canonical form ("UTC+1" is kept as "UTC+01:00"), as the service has it.
    char canon[NX_SETTING_VALUE_MAX + 1];
    long len = nx_settings_get(key, canon, sizeof canon - 1);
    if (len < 0 || nx_setting_check(NX_SETTING_TIME_ZONE, canon, (size_t)len,
                                    m.cur.value[NX_SETTING_TIME_ZONE], NULL, 0))
        snprintf(m.cur.value[NX_SETTING_TIME_ZONE], sizeof canon, "%s", value);
    const char *now = m.cur.value[NX_SETTING_TIME_ZONE];
    nx_field_set(&m.zone, now, strlen(now));
    show_date();
    set_status("", "Time zone: %s applied", now);
    printf("control: %s set to %s\n", key, now);
}

// ---- refreshing ----

static void refresh(void)
{
    char line[LINE_BYTES];
    fig_harts_line(&m.harts, line, sizeof line);
    set_label(&m.figures[0], m.figure_text[0], line);
    fig_memory_line(line, sizeof line);
    set_label(&m.figures[1], m.figure_text[1], line);
    fig_disk_line(line, sizeof line);
    set_label(&m.figures[2], m.figure_text[2], line);
    fig_uptime_line(line, sizeof line);
    set_label(&m.figures[3], m.figure_text[3], line);
    show_date();
    nx_timer_set(m.timer, (uint64_t)nx_clock_get() + REFRESH_NS, REFRESH_SLACK_NS);
}

// ---- the keyboard: arrows move between the buttons (Tab and Enter are the form's) ----

static size_t row_width(size_t r)
{
    return r == ZONE_ROW ? 2 : ROWS[r].n;
}

static struct nx_widget *at(size_t r, size_t c)
{
    if (r == ZONE_ROW)
        return c ? &m.zone_apply.base : &m.zone.base;
    return &m.choice[r][c].base;
}

static bool focused_at(size_t *r, size_t *c)
{
    for (*r = 0; *r <= ZONE_ROW; (*r)++)
        for (*c = 0; *c < row_width(*r); (*c)++)
            if (m.win.ui.focus == at(*r, *c))
                return true;
    return false;
}

static bool arrow(unsigned code)
{
    size_t r = 0, c = 0;
    bool is_arrow = code == NX_KEY_LEFT || code == NX_KEY_RIGHT || code == NX_KEY_UP ||
                    code == NX_KEY_DOWN;
    if (!is_arrow)
        return false;
    if (!focused_at(&r, &c)) {   // nothing focused (a click beside the widgets): the first
        nx_ui_focus(&m.win.ui, at(0, 0));
        return true;
    }
    if (r == ZONE_ROW && c == 0 && (code == NX_KEY_LEFT || code == NX_KEY_RIGHT))
        return false;   // the field's cursor
    switch (code) {
    case NX_KEY_LEFT: c -= c > 0; break;
    case NX_KEY_RIGHT: c += c + 1 < row_width(r); break;
    case NX_KEY_UP: r -= r > 0; break;
    default: r += r < ZONE_ROW; break;   // Down
    }
    nx_ui_focus(&m.win.ui, at(r, c < row_width(r) ? c : row_width(r) - 1));
    return true;
}

static void event(const struct nx_wm_event *ev)
{
    if (ev->type == NX_WM_EV_KEY && ev->key.state == 1 && arrow(ev->key.code))
        return;
    struct nx_widget *hit = nx_ui_event(&m.win.ui, ev);
    if (!hit)
        return;
    if (hit == &m.zone.base || hit == &m.zone_apply.base) {
        set_zone();
        return;
    }
    for (size_t r = 0; r < NROWS; r++)
        for (size_t i = 0; i < ROWS[r].n; i++)
            if (hit == &m.choice[r][i].base)
                choose(r, i);
}

static void woken(uint64_t bits)
{
    if (bits & BIT_TIMER)
        refresh();
}

// ---- start ----

static struct nx_gfx_rect title_at(int32_t y)
{
    return (struct nx_gfx_rect){ MARGIN, y + (BUTTON_H - LINE_H) / 2, TITLE_W, LINE_H };
}

static long add_all(struct nx_widget *const *w, size_t n)
{
    long err = NX_OK;
    for (size_t i = 0; i < n && !err; i++)
        err = nx_ui_add(&m.win.ui, w[i]);
    return err;
}

// The rows of buttons (first in Tab order), then the time zone's.
static long layout_settings(void)
{
    int32_t x0 = MARGIN + TITLE_W, room = WIN_W - MARGIN - x0;
    long err = NX_OK;
    for (size_t r = 0; r < NROWS && !err; r++) {
        const struct choice_row *row = &ROWS[r];
        int32_t y = MARGIN + (int32_t)r * ROW_H, n = (int32_t)row->n;
        int32_t w = (room - (n - 1) * GAP) / n;
        w = w < BUTTON_W_MAX ? w : BUTTON_W_MAX;
        nx_label_init(&m.titles[r], title_at(y), row->title, strlen(row->title));
        for (int32_t i = 0; i < n && !err; i++) {
            nx_button_init(&m.choice[r][i], (struct nx_gfx_rect){ x0 + i * (w + GAP), y, w, BUTTON_H },
                           row->labels[i], strlen(row->labels[i]));
            err = nx_ui_add(&m.win.ui, &m.choice[r][i].base);
        }
        mark_row(r);
    }
    int32_t y = MARGIN + (int32_t)NROWS * ROW_H;
    static const char zone_title[] = "Time zone", date_title[] = "Date and time";
    nx_label_init(&m.zone_title, title_at(y), zone_title, sizeof zone_title - 1);
    if (!err)
        err = nx_field_init(&m.zone, (struct nx_gfx_rect){ x0, y, 2 * BUTTON_W_MAX, BUTTON_H },
                            m.zone_buf, NX_SETTING_VALUE_MAX);
    m.zone.placeholder = "UTC+HH:MM";
    const char *zone = m.cur.value[NX_SETTING_TIME_ZONE];
    nx_field_set(&m.zone, zone, strlen(zone));
    nx_button_init(&m.zone_apply, (struct nx_gfx_rect){ x0 + 2 * BUTTON_W_MAX + GAP, y, 96, BUTTON_H },
                   "Apply", 5);
    nx_label_init(&m.date_title, title_at(y + ROW_H), date_title, sizeof date_title - 1);
    nx_label_init(&m.date, (struct nx_gfx_rect){ x0, title_at(y + ROW_H).y, room, LINE_H },
                  m.date_text, 0);
    struct nx_widget *const rest[] = { &m.zone.base, &m.zone_apply.base, &m.zone_title.base,
                                       &m.date_title.base, &m.date.base };
    return err ? err : add_all(rest, sizeof rest / sizeof rest[0]);
}

// The figures under the settings, the status line at the bottom.
static long layout_figures(void)
{
    int32_t y = MARGIN + (int32_t)(NROWS + 2) * ROW_H + LINE_H / 2;
    long err = NX_OK;
    for (size_t i = 0; i < FIGURES && !err; i++) {
        nx_label_init(&m.figures[i], (struct nx_gfx_rect){ MARGIN, y + (int32_t)i * LINE_H,
                                                          WIN_W - 2 * MARGIN, LINE_H },
                      m.figure_text[i], 0);
        err = nx_ui_add(&m.win.ui, &m.figures[i].base);
    }
    for (size_t r = 0; r < NROWS && !err; r++)
        err = nx_ui_add(&m.win.ui, &m.titles[r].base);
    nx_label_init(&m.status, (struct nx_gfx_rect){ MARGIN, WIN_H - MARGIN - 2 * LINE_H,
                                                  WIN_W - 2 * MARGIN, LINE_H },
                  m.status_text, 0);
    nx_label_init(&m.reason, (struct nx_gfx_rect){ MARGIN, WIN_H - MARGIN - LINE_H,
                                                  WIN_W - 2 * MARGIN, LINE_H },
                  m.reason_text, 0);
    if (!err)
        err = nx_ui_add(&m.win.ui, &m.status.base);
    return err ? err : nx_ui_add(&m.win.ui, &m.reason.base);
}

static long open_window(void)
{
    m.win.prog = "control";
    long err = appwin_open(&m.win, "Control centre", WIN_W, WIN_H, WIN_X, WIN_Y);
    if (err)
        return err;
    long t = nx_timer_create(m.win.notif, (long)BIT_TIMER);
    if (t < 0)
        return t;
    m.timer = (nx_handle_t)t;
    fig_harts_start(&m.harts);
    load_settings();
    err = layout_settings();
    if (!err)
        err = layout_figures();
    if (err)
        return err;
    apply_theme();
    nx_ui_focus(&m.win.ui, &m.choice[0][0].base);
    return NX_OK;
}

// The window up with the settings on it (which are printed), or the reason on stderr: whether
// the app runs.
static bool start(void)
{
    long err = open_window();
    if (err) {
        fprintf(stderr, "control: cannot start (%ld)\n", err);
        return false;
    }
    printf("control: power_mode=%s theme=%s keyboard_layout=%s lock_delay_s=%s time_zone=%s\n",
           m.cur.value[NX_SETTING_POWER_MODE], m.cur.value[NX_SETTING_THEME],
           m.cur.value[NX_SETTING_KEYBOARD_LAYOUT], m.cur.value[NX_SETTING_LOCK_DELAY],
           m.cur.value[NX_SETTING_TIME_ZONE]);
    return true;
}

int main(void)
{
    if (!start())
        return 1;
    refresh();
    appwin_run(&m.win, event, woken);
    appwin_close(&m.win);
    return 0;
}
