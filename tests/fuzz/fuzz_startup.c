// libFuzzer target for user/lib/startup.c: any sequence of startup messages must leave the
// child's state consistent (every argv string inside the argument store and NUL-terminated,
// counts within their limits, names unique and non-empty) and never read or write outside
// it (ASan). The input is a series of messages: label selector, handle count, length, bytes.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nx/startup.h>

static const uint32_t labels[] = { NX_STARTUP_ARGS, NX_STARTUP_HANDLES, NX_STARTUP_DONE, 7 };

static void check(const struct nx_startup_state *s)
{
    if (s->argc < 0 || s->argc > NX_STARTUP_ARGS_MAX || s->args_len > sizeof(s->args) ||
        s->nhandles > NX_STARTUP_HANDLES_MAX || s->argv[s->argc] != NULL)
        abort();
    for (int i = 0; i < s->argc; i++) {
        const char *a = s->argv[i];
        if (a < s->args || a >= s->args + s->args_len ||
            strnlen(a, (size_t)(s->args + s->args_len - a)) == (size_t)(s->args + s->args_len - a))
            abort();
    }
    for (size_t i = 0; i < s->nhandles; i++) {
        size_t len = strnlen(s->names[i], sizeof(s->names[i]));
        if (len == 0 || len > NX_STARTUP_NAME_MAX)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->names[i], s->names[j]) == 0)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct nx_startup_state s;
    nx_startup_init(&s);
    const nx_handle_t handles[NX_MSG_HANDLES_MAX] = { 1, 2, 3, 4 };
    while (size >= 4) {
        uint32_t label = labels[data[0] % 4];
        size_t nhandles = data[1] % (NX_MSG_HANDLES_MAX + 2);
        size_t len = (size_t)(data[2] | data[3] << 8);
        data += 4, size -= 4;
        len = len < size ? len : size;
        // An exactly sized copy, so that ASan sees any read past the message.
        uint8_t *msg = malloc(len ? len : 1);
        memcpy(msg, data, len);
        nx_startup_accept(&s, label, msg, len, handles,
                          nhandles > NX_MSG_HANDLES_MAX ? NX_MSG_HANDLES_MAX : nhandles);
        free(msg);
        check(&s);
        data += len, size -= len;
    }
    return 0;
}
