// Input (comp.h): the input drivers' rings (docs/input.md), the pointer (the hardware
// cursor, focus, raising, moving and resizing windows by their frames) and the keyboard
// (to the focused window, translated by the key map and repeated through a timer with slack,
// nx/keymap.h). Each driver is connected by a thread of its own, so a missing device (its
// driver exited: the call waits out its deadline) never delays a client; the driver's process
// is watched, and when it ends the thread connects to the instance init restarts.
#include <string.h>
#include <nx/gpu.h>
#include <nx/input.h>
#include <nx/keymap.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/settings.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include "comp.h"

// An input driver answers at once; one that found no device has exited.
#define CONNECT_TIMEOUT_NS 3000000000ull

// evdev codes (linux/input-event-codes.h).
enum { ABS_X = 0, ABS_Y = 1, REL_X = 0, REL_Y = 1, REL_HWHEEL = 6, REL_WHEEL = 8,
       BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112 };

static const char *const services[INPUTS] = { "input", "input2" };

// A driver and the thread that connects to it: at start with a deadline (a driver with no
// device has exited), then each time the instance it connected to ended, without one (init
// restarts the driver behind the same endpoint; the call waits there until it serves).
// Results pass to the main thread through next_vmo; the thread waits on `wake` in between.
struct link {
    nx_handle_t ep;           // the driver's endpoint (granted)
    nx_handle_t wake;         // the main thread asks for a new connection
    nx_handle_t next_proc;    // the thread's result: the instance's process...
    long next_vmo;            // ...and its ring (an error < 0; 0: none yet), atomic
    nx_handle_t proc;         // the instance the ring is from, watched (BIT_INPUT_GONE)
    bool counted;             // its first result is in "N input devices"
};
static struct link links[INPUTS];
static int first_results, devices;
static struct nx_ring rings[INPUTS];
static struct nx_keyboard keyboard;
static nx_handle_t repeat_timer;
static struct nx_settings settings;   // as the settings service last gave them

enum drag { DRAG_NONE, DRAG_MOVE, DRAG_RESIZE, DRAG_GRAB };

static struct {
    int32_t x, y;                 // on the screen
    bool moved;                   // since the last SYN
    uint32_t buttons;             // NX_WM_BUTTON_*
    enum drag drag;
    int win;                      // what the drag holds
    int32_t sx, sy;               // where the drag began
    struct wm_geom start;         // the window's geometry then
    int32_t dx, dy;               // a resize drag's change so far
} ptr = { .win = -1 };

static void release(uint64_t time);
static void arm_repeat(void);

// ---- connecting ----

// NX_INPUT_CONNECT: the ring's VMO (*proc: the driver's process), or an error.
static long connect_driver(int i, uint64_t deadline, nx_handle_t *proc)
{
    struct nx_input_connect req = { BIT_INPUT(i) };
    struct nx_rpc_call c = {
        .op = NX_INPUT_CONNECT, .req = &req, .req_len = sizeof req,
        .send = { 1, { C.notif }, { NX_RIGHT_SIGNAL | NX_XFER_COPY } },
        .deadline = deadline,
    };
    long err = links[i].ep ? nx_rpc(links[i].ep, &c) : NX_ERR_NOT_FOUND;
    if (err == NX_OK && c.recv.count == 2) {
        *proc = c.recv.h[1];
        return c.recv.h[0];
    }
    nx_rpc_close_handles(&c.recv);
    return err < 0 ? err : NX_ERR_INVALID;
}

static void link_thread(void *arg)
{
    int i = (int)(intptr_t)arg;
    struct link *l = &links[i];
    uint64_t deadline = (uint64_t)nx_clock_get() + CONNECT_TIMEOUT_NS;
    for (;;) {
        nx_handle_t proc = NX_HANDLE_INVALID;
        long vmo = connect_driver(i, deadline, &proc);
        if (vmo == NX_ERR_PEER_CLOSED && deadline == NX_DEADLINE_NEVER)
            continue;  // the new instance died in the call: the next one answers
        l->next_proc = proc;
        __atomic_store_n(&l->next_vmo, vmo, __ATOMIC_RELEASE);
        nx_notify_signal(C.notif, (long)BIT_INPUT_READY);
        uint64_t bits;
        if (vmo < 0 || nx_notify_wait_bits(l->wake, NX_DEADLINE_NEVER, &bits) != NX_OK)
            return;  // no driver (or it cannot be reached): nothing more to do
        deadline = NX_DEADLINE_NEVER;
    }
}

static void set_layout(const char *keymap)
{
    if (nx_keyboard_set_layout(&keyboard, keymap) != NX_OK)
        nx_log(NX_LOG_WARN, "no key map '%s': keeping %s", keymap,
               nx_keymap_name(keyboard.map));
    else
        nx_log(NX_LOG_INFO, "key map %s", keymap);
}

// The layout is the keyboard_layout setting's, followed as it changes (BIT_SETTINGS); without
// the settings service (not granted, as in test archives), the one keymap names.
static void follow_layout(const char *keymap)
{
    long err = nx_settings_follow(&settings, C.notif, BIT_SETTINGS);
    if (err == NX_OK)
        keymap = settings.value[NX_SETTING_KEYBOARD_LAYOUT];
    else if (err != NX_ERR_NOT_FOUND)
        nx_log(NX_LOG_WARN, "the settings service failed (%ld): key map %s", err, keymap);
    set_layout(keymap);
}

static void layout_changed(void)
{
    if (nx_settings_refresh(&settings) & (1u << NX_SETTING_KEYBOARD_LAYOUT))
        set_layout(settings.value[NX_SETTING_KEYBOARD_LAYOUT]);
}

void input_start(const char *keymap)
{
    ptr.x = C.sw / 2;
    ptr.y = C.sh / 2;
    nx_keyboard_init(&keyboard);
    follow_layout(keymap);
    long timer = nx_timer_create(C.notif, (long)BIT_REPEAT);
    if (timer < 0)
        nx_log(NX_LOG_WARN, "no key repeat: no timer (%ld)", timer);
    repeat_timer = timer < 0 ? NX_HANDLE_INVALID : (nx_handle_t)timer;
    for (int i = 0; i < INPUTS; i++) {
        // Everything the thread reads is set before it starts (it may run at once).
        links[i].ep = nx_startup_handle(services[i]);
        long wake = nx_notification_create();
        links[i].wake = wake < 0 ? NX_HANDLE_INVALID : (nx_handle_t)wake;
        long t = wake < 0 ? wake : nx_thread_start(link_thread, (void *)(intptr_t)i,
                                                   PRIO_USER_DEFAULT, 0);
        if (t < 0) {
            nx_log(NX_LOG_ERROR, "%s: cannot start a thread (%ld)", services[i], t);
            links[i].next_vmo = NX_ERR_NO_MEMORY;  // counted as a driver not there
            nx_notify_signal(C.notif, (long)BIT_INPUT_READY);
        }
    }
}

// A result of link i's thread: the ring mapped, the driver's process watched.
static void link_result(int i)
{
    struct link *l = &links[i];
    long vmo = __atomic_exchange_n(&l->next_vmo, 0, __ATOMIC_ACQUIRE);
    if (!vmo)
        return;
    long err = vmo;
    if (vmo > 0) {
        err = nx_ring_map((nx_handle_t)vmo, NX_RING_READER, C.notif, BIT_INPUT(i), &rings[i]);
        nx_handle_close((nx_handle_t)vmo);
        if (err) {
            nx_log(NX_LOG_WARN, "%s: its ring is refused (%ld)", services[i], err);
            nx_handle_close(l->next_proc);
        } else {
            if (nx_process_watch(l->next_proc, C.notif, BIT_INPUT_GONE(i)) != NX_OK)
                nx_log(NX_LOG_WARN, "%s: cannot watch it: a restart will not be seen",
                       services[i]);
            l->proc = l->next_proc;
        }
    }
    if (!l->counted) {
        l->counted = true;
        devices += !err;
        if (++first_results == INPUTS) {
            if (!devices)
                nx_log(NX_LOG_INFO, "no input: no device");
            nx_printf("compositor: %d input devices\n", devices);
        }
    } else {
        nx_printf("compositor: %s connected again (%ld)\n", services[i], err);
    }
}

// Link i's driver instance ended: its ring goes, keys and buttons held are let go (their
// releases will never come), and its thread connects to the next instance.
static void link_gone(int i)
{
    struct link *l = &links[i];
    if (!l->proc)
        return;
    nx_handle_close(l->proc);
    l->proc = NX_HANDLE_INVALID;
    if (rings[i].sh)
        nx_ring_unmap(&rings[i]);
    rings[i] = (struct nx_ring){ 0 };
    keyboard.held = 0;  // the modifiers (CapsLock stays as toggled; the key map stays)
    nx_key_repeat_stop(&keyboard.repeat);
    arm_repeat();
    if (ptr.buttons) {
        ptr.buttons = 0;
        release((uint64_t)nx_clock_get());
    }
    nx_log(NX_LOG_WARN, "%s ended: connecting to its next instance", services[i]);
    nx_notify_signal(l->wake, 1);
}

void input_pointer(int32_t *x, int32_t *y)
{
    *x = ptr.x;
    *y = ptr.y;
}

// ---- windows and focus ----

void active_changed(void)
{
    for (int i = 0; i < WM_MAX_WINDOWS; i++) {
        if (!C.win[i].used || !C.geom[i].top)
            continue;
        struct nx_wm_event ev = { .type = NX_WM_EV_ACTIVE };
        ev.value = C.active >= 0 && C.win[C.active].client == C.win[i].client;
        send_event(i, &ev);
    }
}

static void set_active(int w)
{
    if (w == C.active)
        return;
    C.active = w;
    active_changed();
}

void focus_window(int w)
{
    if (w >= 0 && !wm_stack_takes_input(&C.stack, w))
        return;   // behind the lock: the keyboard stays with it
    if (w >= 0 && !C.geom[w].top)
        set_active(w);
    if (w == C.focus)
        return;
    int old = C.focus;
    C.focus = w;
    nx_key_repeat_stop(&keyboard.repeat);  // a key held goes on repeating nowhere
    struct nx_wm_event ev = { .type = NX_WM_EV_FOCUS };
    if (old >= 0) {
        send_event(old, &ev);
        frame_changed(old);
    }
    if (w >= 0) {
        ev.value = 1;
        send_event(w, &ev);
        frame_changed(w);
    }
}

void window_gone(int w)
{
    if (ptr.win == w) {
        ptr.drag = DRAG_NONE;
        ptr.win = -1;
    }
    if (C.focus == w) {
        C.focus = -1;
        // A lock surface still up, else the topmost window below the top layer, else a top
        // surface, else none.
        int next = C.stack.nlock || C.stack.n == C.stack.ntop
                       ? (C.stack.n ? C.stack.order[0] : -1)
                       : C.stack.order[C.stack.ntop];
        focus_window(next);
    }
    if (C.active == w)
        set_active(C.stack.n > C.stack.ntop ? C.stack.order[C.stack.ntop] : -1);
}

void input_locked(void)
{
    ptr.drag = DRAG_NONE;   // a window held before the lock is let go (its release unseen)
    ptr.win = -1;
}

static void raise_window(int w)
{
    if (wm_stack_depth(&C.stack, w) == 0)
        return;
    wm_stack_raise(&C.stack, w);
    damage_screen(wm_frame(&C.geom[w]));
    stack_changed();
}

// ---- the pointer ----

static void pointer_event(int w, uint64_t time)
{
    if (!wm_stack_takes_input(&C.stack, w))
        return;
    struct nx_wm_event ev = { .type = NX_WM_EV_POINTER, .time_ns = time };
    ev.pointer.x = ptr.x - C.geom[w].x;
    ev.pointer.y = ptr.y - C.geom[w].y;
    ev.pointer.buttons = ptr.buttons;
    ev.pointer.mods = nx_keyboard_mods(&keyboard);
    send_event(w, &ev);
}

// The window under the pointer, if the pointer is over its content.
static int content_under(void)
{
    int w = wm_stack_at(&C.stack, C.geom, ptr.x, ptr.y);
    return w >= 0 && wm_part_at(&C.geom[w], ptr.x, ptr.y) == WM_PART_CONTENT ? w : -1;
}

static void move_window(int w, int32_t x, int32_t y)
{
    struct nx_gfx_rect before = wm_frame(&C.geom[w]);
    wm_place(&C.geom[w], x, y, C.sw, C.sh, C.inset);
    damage_screen(before);
    damage_screen(wm_frame(&C.geom[w]));
}

static void pointer_moved(uint64_t time)
{
    struct nx_gpu_move m = { ptr.x, ptr.y };
    gpu_call(NX_GPU_MOVE_CURSOR, &m, sizeof m, NULL, 0);
    if (ptr.drag == DRAG_MOVE) {
        move_window(ptr.win, ptr.start.x + ptr.x - ptr.sx, ptr.start.y + ptr.y - ptr.sy);
    } else if (ptr.drag == DRAG_RESIZE) {
        ptr.dx = ptr.x - ptr.sx;
        ptr.dy = ptr.y - ptr.sy;
    } else {
        int w = ptr.drag == DRAG_GRAB ? ptr.win : content_under();
        if (w >= 0)
            pointer_event(w, time);
    }
}

// A press with no other button held: focus and raise what is under it, and start what its
// part of the window does.
static void press(uint64_t time)
{
    int w = wm_stack_at(&C.stack, C.geom, ptr.x, ptr.y);
    if (!wm_stack_takes_input(&C.stack, w))
        return;
    focus_window(w);
    raise_window(w);
    ptr = (typeof(ptr)){ .x = ptr.x, .y = ptr.y, .buttons = ptr.buttons,
                         .drag = DRAG_GRAB, .win = w, .sx = ptr.x, .sy = ptr.y,
                         .start = C.geom[w] };
    switch (wm_part_at(&C.geom[w], ptr.x, ptr.y)) {
    case WM_PART_CLOSE: {
        struct nx_wm_event ev = { .type = NX_WM_EV_CLOSE, .time_ns = time };
        send_event(w, &ev);
        ptr.drag = DRAG_NONE;
        break;
    }
    case WM_PART_TITLE:
        ptr.drag = DRAG_MOVE;
        break;
    case WM_PART_RESIZE:
        ptr.drag = DRAG_RESIZE;
        break;
    case WM_PART_CONTENT:
        pointer_event(w, time);
        break;
    default:
        ptr.drag = DRAG_NONE;
    }
}

// The last button released: a resize drag asks the client for its new size.
static void release(uint64_t time)
{
    if (ptr.drag == DRAG_GRAB)
        pointer_event(ptr.win, time);
    if (ptr.drag == DRAG_RESIZE) {
        struct nx_wm_event ev = { .type = NX_WM_EV_CONFIGURE, .time_ns = time };
        int32_t w = ptr.start.w + ptr.dx, h = ptr.start.h + ptr.dy;
        ev.configure.w = w < WM_MIN_SIZE ? WM_MIN_SIZE : w > C.sw ? C.sw : w;
        ev.configure.h = h < WM_MIN_SIZE ? WM_MIN_SIZE : h > C.sh ? C.sh : h;
        send_event(ptr.win, &ev);
    }
    ptr.drag = DRAG_NONE;
    ptr.win = -1;
}

static void button(uint32_t mask, int32_t value, uint64_t time)
{
    uint32_t before = ptr.buttons;
    ptr.buttons = value ? before | mask : before & ~mask;
    if (ptr.buttons == before)
        return;
    if (!before)
        press(time);
    else if (!ptr.buttons)
        release(time);
    else if (ptr.drag == DRAG_GRAB)
        pointer_event(ptr.win, time);
}

static void scroll(int32_t dx, int32_t dy, uint64_t time)
{
    int w = content_under();
    if (!wm_stack_takes_input(&C.stack, w))
        return;
    struct nx_wm_event ev = { .type = NX_WM_EV_SCROLL, .time_ns = time };
    ev.scroll.dx = dx;
    ev.scroll.dy = dy;
    send_event(w, &ev);
}

// ---- the keyboard ----

// Keys go to the focused window, but those typed with Meta held (the Meta key itself too)
// to the topmost top surface: the desktop's shortcuts, whatever has the keyboard.
static void send_key(const struct nx_key *k)
{
    int to = (k->mods & NX_WM_MOD_META) && C.stack.ntop ? C.stack.order[0] : C.focus;
    if (!wm_stack_takes_input(&C.stack, to))
        return;
    struct nx_wm_event ev = { .type = NX_WM_EV_KEY, .time_ns = k->time_ns };
    ev.key.code = k->code;
    ev.key.state = k->state;
    ev.key.mods = k->mods;
    ev.key.codepoint = k->codepoint;
    send_event(to, &ev);
}

// The repeat timer follows the keyboard's next deadline (NX_DEADLINE_NEVER disarms it).
static void arm_repeat(void)
{
    if (repeat_timer)
        nx_timer_set(repeat_timer, (long)nx_keyboard_deadline(&keyboard),
                     (long)NX_KEY_REPEAT_SLACK_NS);
}

static void key(const struct nx_input_event *e)
{
    struct nx_key k;
    if (e->value == 1)
        key_pressed(e->time_ns);
    if (!nx_keyboard_event(&keyboard, e, &k))
        return;
    send_key(&k);
    arm_repeat();
}

static void repeat(void)
{
    struct nx_key out[NX_KEY_REPEAT_BURST];
    unsigned n = nx_keyboard_repeat(&keyboard, (uint64_t)nx_clock_get(), out);
    for (unsigned i = 0; i < n; i++)
        send_key(&out[i]);
    arm_repeat();
}

// ---- events ----

static int32_t clamp(int64_t v, int32_t hi)
{
    return (int32_t)(v < 0 ? 0 : v > hi ? hi : v);
}

static void take(const struct nx_input_event *e)
{
    idle_input(e->time_ns);
    switch (e->type) {
    case NX_INPUT_ABS:
        if (e->code == ABS_X)
            ptr.x = clamp((int64_t)e->value * (C.sw - 1) / NX_INPUT_ABS_MAX, C.sw - 1);
        else if (e->code == ABS_Y)
            ptr.y = clamp((int64_t)e->value * (C.sh - 1) / NX_INPUT_ABS_MAX, C.sh - 1);
        ptr.moved = true;
        break;
    case NX_INPUT_REL:
        if (e->code == REL_X)
            ptr.x = clamp((int64_t)ptr.x + e->value, C.sw - 1);
        else if (e->code == REL_Y)
            ptr.y = clamp((int64_t)ptr.y + e->value, C.sh - 1);
        else if (e->code == REL_WHEEL || e->code == REL_HWHEEL)
            scroll(e->code == REL_HWHEEL ? e->value : 0, e->code == REL_WHEEL ? e->value : 0,
                   e->time_ns);
        ptr.moved |= e->code == REL_X || e->code == REL_Y;
        break;
    case NX_INPUT_KEY:
        if (e->code >= BTN_LEFT && e->code <= BTN_MIDDLE) {
            static const uint32_t masks[] = { NX_WM_BUTTON_LEFT, NX_WM_BUTTON_RIGHT,
                                              NX_WM_BUTTON_MIDDLE };
            button(masks[e->code - BTN_LEFT], e->value, e->time_ns);
        } else {
            key(e);
        }
        break;
    case NX_INPUT_SYN:
        if (ptr.moved)
            pointer_moved(e->time_ns);
        ptr.moved = false;
        break;
    }
}

// Every event of ring i, then announce the sleep (events that came meanwhile are taken too).
static void drain(int i)
{
    struct nx_ring *r = &rings[i];
    nx_ring_end_sleep(r);
    for (;;) {
        struct nx_input_event e;
        size_t len;
        long err;
        while ((err = nx_ring_pop(r, &e, sizeof e, &len)) == NX_OK)
            if (len == sizeof e)
                take(&e);
        if (err != NX_ERR_NOT_FOUND) {
            nx_log(NX_LOG_WARN, "%s: a broken ring (%ld): dropped", services[i], err);
            nx_ring_unmap(r);
            *r = (struct nx_ring){ 0 };
            return;
        }
        if (nx_ring_prepare_sleep(r))
            return;
    }
}

void input_signals(uint64_t bits)
{
    for (int i = 0; i < INPUTS; i++) {
        if (bits & BIT_INPUT_READY)
            link_result(i);
        if (bits & BIT_INPUT_GONE(i))
            link_gone(i);
    }
    if (bits & BIT_SETTINGS)
        layout_changed();
    if (bits & BIT_REPEAT)
        repeat();
    for (int i = 0; i < INPUTS; i++)
        if (rings[i].sh && (bits & (BIT_INPUT(i) | BIT_INPUT_READY)))
            drain(i);
}
