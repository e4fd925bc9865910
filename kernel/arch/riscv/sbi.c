// SBI calls: a7 = extension id, a6 = function id, a0.. = arguments (SBI spec v1.0 §3).
#include "arch/riscv/sbi.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494D45  /* "TIME" */
#define SBI_EXT_SRST 0x53525354  /* "SRST": system reset */
#define SRST_SHUTDOWN 0
#define SRST_REASON_NONE 0

#define SBI_EXT_IPI 0x735049      /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC" */
#define RFENCE_SFENCE_VMA 1
#define RFENCE_SFENCE_VMA_ASID 2

static long sbi_call5(long ext, long fid, long arg0, long arg1, long arg2, long arg3, long arg4)
{
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a2 __asm__("a2") = arg2;
    register long a3 __asm__("a3") = arg3;
    register long a4 __asm__("a4") = arg4;
    register long a6 __asm__("a6") = fid;
    register long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1)
                     : "r"(a2), "r"(a3), "r"(a4), "r"(a6), "r"(a7)
                     : "memory");
    return a0;
}

static long sbi_call(long ext, long fid, long arg0, long arg1, long arg2)
{
    return sbi_call5(ext, fid, arg0, arg1, arg2, 0, 0);
}

void sbi_console_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0);
}

void sbi_set_timer(uint64_t stime_value)
{
    sbi_call(SBI_EXT_TIME, 0, (long)stime_value, 0, 0);
}

_Noreturn void sbi_shutdown(void)
{
    sbi_call(SBI_EXT_SRST, 0, SRST_SHUTDOWN, SRST_REASON_NONE, 0);
    for (;;)
        __asm__ volatile("wfi");
}

long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque)
{
    return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)hartid, (long)start_pa, (long)opaque);
}

long sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base)
{
    return sbi_call(SBI_EXT_IPI, 0, (long)hart_mask, (long)hart_mask_base, 0);
}

long sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t base, uint64_t start, uint64_t size)
{
    return sbi_call5(SBI_EXT_RFENCE, RFENCE_SFENCE_VMA, (long)hart_mask, (long)base, (long)start,
                     (long)size, 0);
}

long sbi_remote_sfence_vma_asid(uint64_t hart_mask, uint64_t base, uint64_t start,
                                uint64_t size, uint64_t asid)
{
    return sbi_call5(SBI_EXT_RFENCE, RFENCE_SFENCE_VMA_ASID, (long)hart_mask, (long)base,
                     (long)start, (long)size, (long)asid);
}
