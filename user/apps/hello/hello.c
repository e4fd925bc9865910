// The first user program: says hello through picolibc's printf, shows the clock, exits.
#include <stdio.h>
#include <nx/nx.h>

int main(void)
{
    long t = nx_clock_get();
    printf("Hello from user space! clock %ld ns\n", t);
    return 0;
}
