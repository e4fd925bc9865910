// A restartable test service that dies at once: init must back off and finally give up.
#include <nx/log.h>

int main(void)
{
    nx_log(NX_LOG_INFO, "crasher: dying");
    return 3;
}
