// Executes an illegal instruction (and a privileged one): the kernel must end this process.
#include <nx/nx.h>

int main(void)
{
    nx_printf("illegal: executing csrr sstatus from U-mode\n");
    long v;
    __asm__ volatile("csrr %0, sstatus" : "=r"(v));
    nx_printf("illegal: STILL ALIVE %ld\n", v);
    return 0;
}
