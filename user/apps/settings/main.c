// settings: the system settings from the shell, through the settings service.
//   settings                  every setting, `key=value`
//   settings get KEY          its value
//   settings set KEY VALUE    change it (checked by the service; refused: why, nothing changed)
// Exit status 0 on success, 1 on a refusal or an error, 2 on a usage error.
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include <nx/settings.h>

static int usage(void)
{
    fprintf(stderr, "usage: settings [get KEY | set KEY VALUE]\n");
    return 2;
}

static int failed(const char *what, long err)
{
    if (err == NX_ERR_NOT_FOUND)
        fprintf(stderr, "settings: %s: no such setting (`settings` lists them)\n", what);
    else
        fprintf(stderr, "settings: %s: the settings service failed the call (%ld)\n", what, err);
    return 1;
}

static int list(void)
{
    char text[NX_MSG_BYTES_MAX + 1];
    long n = nx_settings_list(text, sizeof(text));
    if (n < 0)
        return failed("list", n);
    fputs(text, stdout);
    return 0;
}

static int get(const char *key)
{
    char value[NX_SETTING_VALUE_MAX + 1];
    long n = nx_settings_get(key, value, sizeof(value));
    if (n < 0)
        return failed(key, n);
    printf("%s\n", value);
    return 0;
}

static int set(const char *key, const char *value)
{
    char why[NX_SETTINGS_WHY_MAX];
    long err = nx_settings_set(key, value, why, sizeof(why));
    if (err) {
        fprintf(stderr, "settings: refused: %s (%ld)\n", why, err);
        return 1;
    }
    printf("%s=", key);   // and the value as stored ("UTC+1" is kept as "UTC+01:00")
    fflush(stdout);
    return get(key);
}

int main(int argc, char **argv)
{
    nx_handle_t ep;
    long err = nx_settings_service(&ep);
    if (err) {
        fprintf(stderr, "settings: the settings service is not reachable (%ld)\n", err);
        return 1;
    }
    if (argc == 1)
        return list();
    if (argc == 3 && !strcmp(argv[1], "get"))
        return get(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "set"))
        return set(argv[2], argv[3]);
    return usage();
}
