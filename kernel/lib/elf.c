// ELF64 RISC-V executable validator (see elf.h for the contract).
//
// Only static, non-PIE executables are accepted: the kernel maps PT_LOAD
// segments where the file says and jumps to e_entry; there is no dynamic
// linker and no relocation. Every number read from the file is untrusted, so
// all range checks are written as "a > limit - b" instead of "a + b > limit".
#include "lib/elf.h"
#include "lib/string.h"

#include <stdbool.h>

// Headers are read by memcpy'ing them into these structs: the input may be
// unaligned, and both the kernel (RISC-V) and the test hosts are little-endian,
// which is also the only byte order we accept, so no swapping is needed.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf.c assumes a little-endian host"
#endif

typedef struct {
    unsigned char e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
} Elf64_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr must match the file layout");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr must match the file layout");

#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_RISCV    243
#define PN_XNUM     0xffff // "real phnum is in section 0": we don't support that

#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_SHLIB   5

#define PF_X 1
#define PF_W 2
#define PF_R 4

static uint64_t page_down(uint64_t a) { return a & ~(ELF_PAGE_SIZE - 1); }

// Only called on addresses <= USER_VA_LIMIT, so it cannot wrap.
static uint64_t page_up(uint64_t a) { return page_down(a + ELF_PAGE_SIZE - 1); }

// File header: identity of the file and location of the program headers.
static int check_ehdr(const Elf64_Ehdr *eh, size_t len)
{
    if (memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return ELF_E_BADMAGIC;
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return ELF_E_BADCLASS;
    if (eh->e_machine != EM_RISCV)
        return ELF_E_BADMACHINE;
    if (eh->e_type != ET_EXEC)
        return ELF_E_BADTYPE;
    if (eh->e_phnum == 0)
        return ELF_E_NOSEG;
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == PN_XNUM)
        return ELF_E_BADPHDR;
    // e_phnum < 2^16, so the table size itself cannot overflow; its end can.
    uint64_t tabsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > UINT64_MAX - tabsize)
        return ELF_E_BADPHDR;
    if (eh->e_phoff + tabsize > len)
        return ELF_E_TRUNCATED;
    return ELF_OK;
}

static uint32_t seg_flags(uint32_t p_flags)
{
    return ((p_flags & PF_R) ? NX_PROT_READ : 0) | ((p_flags & PF_W) ? NX_PROT_WRITE : 0) |
           ((p_flags & PF_X) ? NX_PROT_EXEC : 0);
}

// One PT_LOAD on its own: file bytes present, address range inside user
// space, mappable page by page (vaddr and offset congruent), not W+X.
static int check_load(const Elf64_Phdr *ph, size_t len, struct elf_segment *seg)
{
    // An empty segment maps nothing and would make the page checks vacuous.
    if (ph->p_memsz == 0 || ph->p_filesz > ph->p_memsz)
        return ELF_E_BADPHDR;
    if (ph->p_offset > UINT64_MAX - ph->p_filesz)
        return ELF_E_BADPHDR;
    if (ph->p_offset + ph->p_filesz > len)
        return ELF_E_TRUNCATED;
    // Pages are mapped/copied whole, so the in-page offset must agree.
    if (ph->p_vaddr % ELF_PAGE_SIZE != ph->p_offset % ELF_PAGE_SIZE)
        return ELF_E_ALIGN;
    // Once vaddr < USER_VA_LIMIT the subtraction cannot underflow.
    if (ph->p_vaddr < USER_VA_MIN || ph->p_vaddr >= USER_VA_LIMIT ||
        ph->p_memsz > USER_VA_LIMIT - ph->p_vaddr)
        return ELF_E_RANGE;
    if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
        return ELF_E_WX;

    seg->vaddr = ph->p_vaddr;
    seg->memsz = ph->p_memsz;
    seg->offset = ph->p_offset;
    seg->filesz = ph->p_filesz;
    seg->flags = seg_flags(ph->p_flags);
    return ELF_OK;
}

// Two segments sharing a page would need one PTE with two sets of
// permissions/contents, so overlap is judged on page-rounded ranges.
static bool pages_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
    uint64_t a_lo = page_down(a->vaddr), a_hi = page_up(a->vaddr + a->memsz);
    uint64_t b_lo = page_down(b->vaddr), b_hi = page_up(b->vaddr + b->memsz);
    return a_lo < b_hi && b_lo < a_hi;
}

// Dispatch one program header: collect PT_LOAD, refuse what needs a dynamic
// linker, ignore the rest (notes, stack flags, RISC-V attributes, ...), which
// carry nothing the loader must act on.
static int add_phdr(const Elf64_Phdr *ph, size_t len, struct elf_image *img)
{
    switch (ph->p_type) {
    case PT_LOAD:
        break;
    case PT_DYNAMIC:
    case PT_INTERP:
    case PT_SHLIB:
        return ELF_E_BADTYPE;
    default:
        return ELF_OK;
    }
    if (img->nsegs == ELF_MAX_SEGMENTS)
        return ELF_E_TOOMANY;

    // Filled in place (the image starts zeroed, so no stack garbage lands in
    // struct padding) and only counted once it has passed every check.
    struct elf_segment *seg = &img->seg[img->nsegs];
    int err = check_load(ph, len, seg);
    if (err != ELF_OK)
        return err;
    for (uint32_t i = 0; i < img->nsegs; i++)
        if (pages_overlap(&img->seg[i], seg))
            return ELF_E_OVERLAP;
    img->nsegs++;
    return ELF_OK;
}

// The entry point must be an instruction we will map executable. RISC-V
// instructions are at least 2-byte aligned (C extension), so an odd entry
// could never run either.
static int check_entry(const struct elf_image *img)
{
    if (img->entry % 2 != 0)
        return ELF_E_ENTRY;
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        if ((s->flags & NX_PROT_EXEC) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            return ELF_OK;
    }
    return ELF_E_ENTRY;
}

static int parse(const unsigned char *file, size_t len, struct elf_image *img)
{
    Elf64_Ehdr eh;
    if (len < sizeof(eh))
        return ELF_E_TRUNCATED;
    memcpy(&eh, file, sizeof(eh));
    int err = check_ehdr(&eh, len);
    if (err != ELF_OK)
        return err;

    // check_ehdr() proved the whole table lies inside file[0..len).
    for (size_t i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        err = add_phdr(&ph, len, img);
        if (err != ELF_OK)
            return err;
    }
    if (img->nsegs == 0)
        return ELF_E_NOSEG;
    img->entry = eh.e_entry;
    return check_entry(img);
}

int elf_parse(const void *file, size_t len, struct elf_image *out)
{
    memset(out, 0, sizeof(*out));
    int err = parse(file, len, out);
    if (err != ELF_OK)
        memset(out, 0, sizeof(*out)); // never hand back a half-validated image
    return err;
}

const char *elf_strerror(int err)
{
    switch (err) {
    case ELF_OK:           return "ok";
    case ELF_E_TRUNCATED:  return "file truncated";
    case ELF_E_BADMAGIC:   return "not an ELF file";
    case ELF_E_BADCLASS:   return "not a little-endian ELF64 v1 file";
    case ELF_E_BADMACHINE: return "not a RISC-V executable";
    case ELF_E_BADTYPE:    return "not a static executable";
    case ELF_E_BADPHDR:    return "malformed program header";
    case ELF_E_TOOMANY:    return "too many loadable segments";
    case ELF_E_RANGE:      return "segment outside user address space";
    case ELF_E_OVERLAP:    return "segments overlap";
    case ELF_E_WX:         return "segment both writable and executable";
    case ELF_E_ENTRY:      return "entry point not in an executable segment";
    case ELF_E_ALIGN:      return "segment vaddr and offset not page-congruent";
    case ELF_E_NOSEG:      return "no loadable segment";
    default:               return "unknown ELF error";
    }
}
