// Key repeat (nx/keymap.h): when the held key repeats next, as a pure function of the times
// the caller passes.
#include <nexus/syscall.h>
#include <nx/keymap.h>

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void nx_key_repeat_init(struct nx_key_repeat *r)
{
    r->delay_ns = NX_KEY_REPEAT_DELAY_NS;
    r->interval_ns = NX_KEY_REPEAT_INTERVAL_NS;
    nx_key_repeat_stop(r);
}

static bool timing_valid(uint64_t ns)
{
    return ns >= NX_KEY_REPEAT_MIN_NS && ns <= NX_KEY_REPEAT_MAX_NS;
}

long nx_key_repeat_set(struct nx_key_repeat *r, uint64_t delay_ns, uint64_t interval_ns)
{
    if (!timing_valid(delay_ns) || !timing_valid(interval_ns))
        return NX_ERR_INVALID;
    r->delay_ns = delay_ns;
    r->interval_ns = interval_ns;
    return NX_OK;
}

void nx_key_repeat_press(struct nx_key_repeat *r, uint16_t code, uint64_t now)
{
    r->code = code;
    r->due = add_saturating(now, r->delay_ns);
}

void nx_key_repeat_release(struct nx_key_repeat *r, uint16_t code)
{
    if (code == r->code)
        nx_key_repeat_stop(r);
}

void nx_key_repeat_stop(struct nx_key_repeat *r)
{
    r->code = 0;
    r->due = NX_DEADLINE_NEVER;
}

uint64_t nx_key_repeat_deadline(const struct nx_key_repeat *r)
{
    return r->due;
}

unsigned nx_key_repeat_due(struct nx_key_repeat *r, uint64_t now, uint64_t *first)
{
    if (r->due == NX_DEADLINE_NEVER || now < r->due)
        return 0;
    uint64_t behind = (now - r->due) / r->interval_ns;
    unsigned n = behind >= NX_KEY_REPEAT_BURST ? NX_KEY_REPEAT_BURST : (unsigned)behind + 1;
    *first = r->due;
    r->due = add_saturating(r->due, n * r->interval_ns);
    if (r->due <= now)  // more were due than the burst: drop them
        r->due = add_saturating(now, r->interval_ns);
    return n;
}
