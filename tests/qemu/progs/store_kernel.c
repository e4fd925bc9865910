// Stores to a kernel address: the kernel must end this process only.
#include <nx/nx.h>

int main(void)
{
    nx_printf("store_kernel: storing to the kernel image\n");
    *(volatile long *)0xffffffff80200000UL = 1;
    nx_printf("store_kernel: STILL ALIVE\n");
    return 0;
}
