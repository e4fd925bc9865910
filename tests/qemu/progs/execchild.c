// Started by exectest through the loader: prints what the startup protocol gave it (with
// picolibc's printf), uses malloc up to and beyond its budget, signals the notification it
// was granted, and exits with status 42.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/startup.h>

static void show_startup(int argc, char **argv)
{
    printf("execchild: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("execchild: argv[%d] = \"%s\"\n", i, argv[i]);
    for (size_t i = 0; i < nx_startup_handle_count(); i++) {
        const char *name;
        nx_handle_t h = nx_startup_handle_at(i, &name);
        printf("execchild: handle \"%s\" type %ld\n", name, nx_handle_info(h) & 0xff);
    }
    printf("execchild: unknown name gives %u\n", nx_startup_handle("nosuch"));
}

static void use_malloc(void)
{
    char *small = malloc(100 * 1024);
    memset(small, 'x', 100 * 1024);
    printf("execchild: malloc 100 KiB %s\n", small && small[100 * 1024 - 1] == 'x' ? "ok" : "WRONG");
    free(small);
    void *huge = malloc(64 << 20);
    printf("execchild: malloc beyond the heap gives %s\n", huge ? "WRONG" : "NULL");
    void *over = malloc(1000 * 1024);  // under the heap's end, over the budget
    printf("execchild: malloc beyond the budget gives %s\n", over ? "WRONG" : "NULL");
    char *again = malloc(16 * 1024);
    printf("execchild: malloc after that %s\n", again ? "ok" : "WRONG");
    free(again);
}

int main(int argc, char **argv)
{
    show_startup(argc, argv);
    use_malloc();
    struct nx_process_info info;
    nx_process_info(nx_self, (long)&info);
    printf("execchild: running at priority %u\n", info.priority);
    nx_notify_signal(nx_startup_handle("done"), 4);
    fprintf(stderr, "execchild: exit 42\n");
    return 42;
}
