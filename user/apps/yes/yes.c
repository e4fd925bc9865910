// yes [STRING...]: the words (default "y") and a newline, again and again, until the reader
// of stdout goes (a broken pipe ends it quietly, with status 0).
#include <errno.h>
#include <string.h>
#include <nx/tool.h>

#define CHUNK 8192

int main(int argc, char **argv)
{
    static char buf[CHUNK];
    char line[256];
    size_t len = 0;
    for (int i = 1; i < argc && len < sizeof line - 1; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", i > 1 ? " " : "", argv[i]);
    if (argc < 2)
        len = (size_t)snprintf(line, sizeof line, "y");
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    size_t fill = 0;
    while (fill + len <= sizeof buf) {  // whole lines, as many as fit
        memcpy(buf + fill, line, len);
        fill += len;
    }
    while (nx_tool_write_all(1, buf, fill))
        ;
    return errno == EPIPE ? 0 : nx_tool_error("yes", "write");
}
