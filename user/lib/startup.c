// The startup protocol's pure parts (see nx/startup.h): the child's state machine and the
// parent's string packing. No system calls, so the host tests run them as they are.
#include <string.h>
#include <nexus/errors.h>
#include <nx/startup.h>

void nx_startup_init(struct nx_startup_state *s)
{
    memset(s, 0, sizeof(*s));
}

// The number of NUL-terminated strings in bytes[0..n), or -1 if the last one lacks its NUL.
static long count_strings(const char *bytes, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; i++)
        count += bytes[i] == '\0';
    return n && bytes[n - 1] != '\0' ? -1 : count;
}

// A list of NUL-terminated strings in buf[0..cap) with pointers to each (ptrs[max] = NULL).
struct strings {
    char *buf;
    size_t cap, *len;
    int *count, max;
    char **ptrs;
};

static long take_strings(const struct strings *l, const char *bytes, size_t n)
{
    long count = count_strings(bytes, n);
    if (count <= 0)
        return NX_ERR_INVALID;
    if (n > l->cap - *l->len || count > l->max - *l->count)
        return NX_ERR_TOO_BIG;
    char *dst = l->buf + *l->len;
    memcpy(dst, bytes, n);
    *l->len += n;
    for (char *p = dst; p < l->buf + *l->len; p += strlen(p) + 1)
        l->ptrs[(*l->count)++] = p;
    l->ptrs[*l->count] = NULL;
    return NX_OK;
}

static long take_args(struct nx_startup_state *s, const char *bytes, size_t n)
{
    struct strings l = { s->args, sizeof(s->args), &s->args_len, &s->argc,
                         NX_STARTUP_ARGS_MAX, s->argv };
    return take_strings(&l, bytes, n);
}

// Every string NAME=VALUE with a non-empty NAME.
static long take_env(struct nx_startup_state *s, const char *bytes, size_t n)
{
    for (const char *p = bytes; p < bytes + n; p += strnlen(p, (size_t)(bytes + n - p)) + 1) {
        const char *eq = memchr(p, '=', (size_t)(bytes + n - p));
        if (!eq || eq == p || memchr(p, '\0', (size_t)(eq - p)))
            return NX_ERR_INVALID;
    }
    struct strings l = { s->env, sizeof(s->env), &s->env_len, &s->envc,
                         NX_STARTUP_ENV_MAX, s->envp };
    return take_strings(&l, bytes, n);
}

static bool name_known(const struct nx_startup_state *s, const char *name)
{
    for (size_t i = 0; i < s->nhandles; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    return false;
}

// Every name must be 1..NX_STARTUP_NAME_MAX bytes, new, and not repeated in the message.
static long check_names(const struct nx_startup_state *s, const char *bytes, size_t n)
{
    const char *p = bytes;
    for (const char *end = bytes + n; p < end; p += strlen(p) + 1) {
        size_t len = strlen(p);
        if (len == 0 || name_known(s, p))
            return NX_ERR_INVALID;
        if (len > NX_STARTUP_NAME_MAX)
            return NX_ERR_TOO_BIG;
        for (const char *q = bytes; q < p; q += strlen(q) + 1)
            if (strcmp(p, q) == 0)
                return NX_ERR_INVALID;
    }
    return NX_OK;
}

static long take_handles(struct nx_startup_state *s, const char *bytes, size_t n,
                         const nx_handle_t *handles, size_t nhandles)
{
    if (nhandles == 0 || count_strings(bytes, n) != (long)nhandles)
        return NX_ERR_INVALID;
    if (nhandles > NX_STARTUP_HANDLES_MAX - s->nhandles)
        return NX_ERR_TOO_BIG;
    long err = check_names(s, bytes, n);
    if (err)
        return err;
    const char *p = bytes;
    for (size_t i = 0; i < nhandles; i++, p += strlen(p) + 1) {
        strcpy(s->names[s->nhandles], p);
        s->handles[s->nhandles++] = handles[i];
    }
    return NX_OK;
}

long nx_startup_accept(struct nx_startup_state *s, uint32_t label, const void *bytes,
                       size_t nbytes, const nx_handle_t *handles, size_t nhandles)
{
    if (s->done)
        return NX_ERR_BAD_STATE;
    if (nbytes > NX_MSG_BYTES_MAX || nhandles > NX_MSG_HANDLES_MAX)
        return NX_ERR_TOO_BIG;
    switch (label) {
    case NX_STARTUP_ARGS:
        return nhandles ? NX_ERR_INVALID : take_args(s, bytes, nbytes);
    case NX_STARTUP_ENV:
        return nhandles ? NX_ERR_INVALID : take_env(s, bytes, nbytes);
    case NX_STARTUP_HANDLES:
        return take_handles(s, bytes, nbytes, handles, nhandles);
    case NX_STARTUP_DONE:
        if (nbytes || nhandles)
            return NX_ERR_INVALID;
        s->done = true;
        return NX_OK;
    default:
        return NX_ERR_INVALID;
    }
}

size_t nx_startup_pack(char *buf, size_t cap, const char *const *strings, size_t n,
                       size_t *used)
{
    size_t packed = 0, len = 0;
    for (; packed < n; packed++) {
        size_t size = strlen(strings[packed]) + 1;
        if (size > cap - len)
            break;
        memcpy(buf + len, strings[packed], size);
        len += size;
    }
    *used = len;
    return packed;
}
