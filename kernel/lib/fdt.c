// Flattened device tree reader (DT spec v0.4 chapter 5: header, memory reservation block,
// structure block, strings block). One forward pass over the structure block. Every read
// is bounds-checked because the blob comes from firmware we do not control, and the
// cursor only moves forward, so the walk always ends.
#include <stdbool.h>
#include "lib/fdt.h"
#include "lib/string.h"

#define FDT_MAGIC 0xd00dfeedu
enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

// What a node means to us, decided from its name and its parent's kind.
// K_TOP is the imaginary parent of the root.
enum kind { K_TOP, K_OTHER, K_ROOT, K_CPUS, K_CPU, K_CHOSEN, K_MEMORY, K_RESMEM, K_RESCHILD };

// Properties we look at. A node's properties all come before its children (spec 5.4.1),
// so one set is enough: it is consumed when the first child or the END_NODE shows up.
enum { P_REG, P_COMPAT, P_IRQ, P_STATUS, P_DTYPE, P_ISA, P_NDEV, P_TIMEBASE,
       P_BOOTARGS, P_INITRD_START, P_INITRD_END, P_REG_SHIFT, P_REG_IO_WIDTH, P_COUNT };
static const char *const prop_names[P_COUNT] = {
    "reg", "compatible", "interrupts", "status", "device_type", "riscv,isa", "riscv,ndev",
    "timebase-frequency", "bootargs", "linux,initrd-start", "linux,initrd-end",
    "reg-shift", "reg-io-width",
};

struct val { const uint8_t *p; uint32_t len; };  // p == NULL: property absent

struct level {
    enum kind kind;
    bool done;        // properties consumed (a child started): no more may follow
    uint32_t ac, sc;  // #address-cells/#size-cells that apply to this node's children
};

struct parser {
    const uint8_t *b;
    const char *strs;
    uint32_t strs_len;
    uint32_t pos, end;                   // cursor and end of the structure block
    int depth;                           // lv[depth] is the open node
    struct level lv[FDT_MAX_DEPTH + 1];
    struct val cur[P_COUNT];             // the open node's properties
    bool have_mem, have_uart, have_rtc, have_plic;
    struct fdt_info *out;
};

static const char *const errors[] = {
    "ok", "blob truncated", "bad magic", "unsupported version", "malformed structure block",
    "bad property name offset", "bad property value", "no /memory node", "nodes nested too deep",
};

const char *fdt_strerror(int err)
{
    return err > 0 || err < FDT_E_TOODEEP ? "unknown error" : errors[-err];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t fdt_totalsize(const void *blob)
{
    return be32((const uint8_t *)blob + 4);
}

// A number of 0, 1 or 2 big-endian cells (callers have checked n <= 2).
static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
    return n == 0 ? 0 : n == 1 ? be32(p) : (uint64_t)be32(p) << 32 | be32(p + 4);
}

// "base" or "base@unit-address".
static bool name_is(const char *name, const char *base)
{
    size_t n = strlen(base);
    return strncmp(name, base, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

// Is s one of the NUL-terminated strings packed in v (a compatible list, say)?
static bool strlist_has(const struct val *v, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < v->len; i++) {  // size_t: i may step one past a 4 GiB value
        size_t l = strnlen((const char *)v->p + i, v->len - i);
        if (l < v->len - i && l == n && memcmp(v->p + i, s, n) == 0)
            return true;
        i += l;
    }
    return false;
}

// The integer properties we use come as one u32 or u64 (timebase, initrd bounds).
static int read_num(const struct val *v, uint64_t *x)
{
    if (v->len != 4 && v->len != 8)
        return FDT_E_BADVALUE;
    *x = read_cells(v->p, v->len / 4);
    return FDT_OK;
}

// First cell of an optional property (interrupts, riscv,ndev); 0 if absent.
static int first_cell(const struct val *v, uint32_t *x)
{
    *x = v->p != NULL && v->len >= 4 ? be32(v->p) : 0;
    return v->p != NULL && v->len < 4 ? FDT_E_BADVALUE : FDT_OK;
}

// Decode the open node's reg with its parent's cell sizes: the first `max` entries go
// to r[]. Returns how many entries reg holds, or FDT_E_BADVALUE if it cannot be decoded.
static int read_reg(const struct parser *ps, struct fdt_range *r, uint32_t max)
{
    const struct level *par = &ps->lv[ps->depth - 1];
    const struct val *reg = &ps->cur[P_REG];
    uint32_t w;

    if (par->ac > 2 || par->sc > 2 || par->ac + par->sc == 0)
        return FDT_E_BADVALUE;  // wider than 64 bits, or entries of no width
    w = (par->ac + par->sc) * 4;
    if (reg->len % w != 0)
        return FDT_E_BADVALUE;
    for (uint32_t i = 0; i < max && i < reg->len / w; i++) {
        r[i].base = read_cells(reg->p + i * w, par->ac);
        r[i].size = read_cells(reg->p + i * w + par->ac * 4, par->sc);
    }
    return (int)(reg->len / w);  // entries are >= 4 bytes, so this fits
}

// A device we drive is useless without an address: demand at least one reg entry.
static int reg_first(const struct parser *ps, struct fdt_range *r)
{
    int n = read_reg(ps, r, 1);
    return n < 0 ? n : n == 0 ? FDT_E_BADVALUE : FDT_OK;
}

// Keep virtio slots sorted by address; when full, the highest address falls off.
static void add_virtio(struct fdt_info *o, struct fdt_range r, uint32_t irq)
{
    uint32_t i = o->nvirtio;
    if (i == FDT_MAX_VIRTIO && r.base >= o->virtio[i - 1].base)
        return;
    if (i == FDT_MAX_VIRTIO)
        i--;
    else
        o->nvirtio++;
    for (; i > 0 && o->virtio[i - 1].base > r.base; i--) {
        o->virtio[i] = o->virtio[i - 1];
        o->virtio_irq[i] = o->virtio_irq[i - 1];
    }
    o->virtio[i] = r;
    o->virtio_irq[i] = irq;
}

// A device of which only the first node counts: its registers and interrupt line.
static int take_first(struct parser *ps, bool *have, struct fdt_range *r, uint32_t *irq)
{
    *have = true;
    int err = reg_first(ps, r);
    return err ? err : first_cell(&ps->cur[P_IRQ], irq);
}

// The serial port: also how its registers are spaced and accessed (absent: bytes, 1 apart).
static int take_uart(struct parser *ps)
{
    struct fdt_info *o = ps->out;
    int err = take_first(ps, &ps->have_uart, &o->uart, &o->uart_irq);
    if (err || (err = first_cell(&ps->cur[P_REG_SHIFT], &o->uart_reg_shift)) != FDT_OK ||
        (err = first_cell(&ps->cur[P_REG_IO_WIDTH], &o->uart_io_width)) != FDT_OK)
        return err;
    if (o->uart_io_width == 0)
        o->uart_io_width = 1;
    return FDT_OK;
}

// Devices are matched by compatible wherever they sit in the tree.
static int take_device(struct parser *ps)
{
    const struct val *c = &ps->cur[P_COMPAT];
    struct fdt_info *o = ps->out;
    struct fdt_range r;
    uint32_t irq;
    int err;

    if (strlist_has(c, "ns16550a") && !ps->have_uart)
        return take_uart(ps);
    if (strlist_has(c, "google,goldfish-rtc") && !ps->have_rtc)
        return take_first(ps, &ps->have_rtc, &o->rtc, &o->rtc_irq);
    if ((strlist_has(c, "riscv,plic0") || strlist_has(c, "sifive,plic-1.0.0")) && !ps->have_plic) {
        ps->have_plic = true;
        err = reg_first(ps, &o->plic);
        return err ? err : first_cell(&ps->cur[P_NDEV], &o->plic_ndev);
    }
    if (strlist_has(c, "virtio,mmio")) {
        if ((err = reg_first(ps, &r)) != FDT_OK || (err = first_cell(&ps->cur[P_IRQ], &irq)) != FDT_OK)
            return err;
        add_virtio(o, r, irq);
    }
    return FDT_OK;
}

static int take_memory(struct parser *ps)
{
    if (ps->have_mem || ps->cur[P_REG].len == 0)
        return FDT_OK;
    ps->have_mem = true;
    return reg_first(ps, &ps->out->mem);
}

// A cpu node: its hart id (reg, one cell: a missing or malformed one is an error, as the
// kernel would start the wrong hart) and the first one's ISA string.
static int take_cpu(struct parser *ps)
{
    struct fdt_info *o = ps->out;
    const struct val *isa = &ps->cur[P_ISA];
    struct fdt_range id;
    int err = reg_first(ps, &id);
    if (err)
        return err;
    if (id.base > UINT32_MAX)
        return FDT_E_BADVALUE;
    if (o->nharts == 0 && isa->p != NULL) {
        size_t l = strnlen((const char *)isa->p, isa->len);
        if (l >= sizeof o->isa)
            l = sizeof o->isa - 1;  // the prefix is what matters
        memcpy(o->isa, isa->p, l);
        o->isa[l] = '\0';
    }
    o->nharts_listed++;
    if (o->nharts < FDT_MAX_HARTS)
        o->hart_ids[o->nharts++] = (uint32_t)id.base;
    return FDT_OK;
}

static int take_chosen(struct parser *ps)
{
    const struct val *args = &ps->cur[P_BOOTARGS];
    uint64_t start, end;
    int err;

    if (args->p != NULL) {
        size_t l = strnlen((const char *)args->p, args->len);
        if (l == args->len || l >= FDT_BOOTARGS_MAX)
            return FDT_E_BADVALUE;  // unterminated, or would be cut: better to say so
        memcpy(ps->out->bootargs, args->p, l + 1);
    }
    // An initrd needs both ends; one without the other is ignored.
    if (ps->cur[P_INITRD_START].p == NULL || ps->cur[P_INITRD_END].p == NULL)
        return FDT_OK;
    if ((err = read_num(&ps->cur[P_INITRD_START], &start)) != FDT_OK ||
        (err = read_num(&ps->cur[P_INITRD_END], &end)) != FDT_OK)
        return err;
    if (end < start)
        return FDT_E_BADVALUE;
    ps->out->initrd.base = start;
    ps->out->initrd.size = end - start;
    return FDT_OK;
}

// Dropping a reservation could let the kernel hand out firmware memory: fail instead.
static int take_reserved(struct parser *ps)
{
    struct fdt_info *o = ps->out;
    int n = read_reg(ps, o->reserved + o->nreserved, FDT_MAX_RESERVED - o->nreserved);
    if (n > (int)(FDT_MAX_RESERVED - o->nreserved))
        return FDT_E_BADVALUE;
    if (n > 0)
        o->nreserved += (uint32_t)n;
    return n < 0 ? n : FDT_OK;
}

// Act on the open node's properties, once.
static int finish_node(struct parser *ps)
{
    struct level *lv = &ps->lv[ps->depth];
    const struct val *status = &ps->cur[P_STATUS];
    enum kind k = lv->kind;
    int err = FDT_OK;

    if (lv->done)
        return FDT_OK;
    lv->done = true;
    // Memory nodes are known by name or by device_type (spec 3.4).
    if (k == K_OTHER && ps->lv[ps->depth - 1].kind == K_ROOT && strlist_has(&ps->cur[P_DTYPE], "memory"))
        k = K_MEMORY;
    // Absent status means okay; "disabled", "fail", "reserved" mean hands off.
    if (status->p == NULL || strlist_has(status, "okay") || strlist_has(status, "ok")) {
        if (k == K_MEMORY)
            err = take_memory(ps);
        else if (k == K_CPUS && ps->cur[P_TIMEBASE].p != NULL)
            err = read_num(&ps->cur[P_TIMEBASE], &ps->out->timebase_hz);
        else if (k == K_CPU)
            err = take_cpu(ps);
        else if (k == K_CHOSEN)
            err = take_chosen(ps);
        else if (k == K_RESCHILD)
            err = take_reserved(ps);
        if (err == FDT_OK)
            err = take_device(ps);
    }
    memset(ps->cur, 0, sizeof ps->cur);
    return err;
}

static enum kind node_kind(enum kind parent, const char *name)
{
    if (parent == K_TOP)
        return K_ROOT;
    if (parent == K_ROOT && name_is(name, "cpus")) return K_CPUS;
    if (parent == K_ROOT && name_is(name, "chosen")) return K_CHOSEN;
    if (parent == K_ROOT && name_is(name, "memory")) return K_MEMORY;
    if (parent == K_ROOT && name_is(name, "reserved-memory")) return K_RESMEM;
    if (parent == K_CPUS && name_is(name, "cpu")) return K_CPU;
    return parent == K_RESMEM ? K_RESCHILD : K_OTHER;
}

// Hand out n bytes of the structure block at the cursor and skip the padding after them
// (tokens are 4-aligned), or return NULL if the block is too short.
static const uint8_t *take(struct parser *ps, uint32_t n)
{
    const uint8_t *p = ps->b + ps->pos;
    uint64_t padded = ((uint64_t)n + 3) & ~(uint64_t)3;
    if (padded > ps->end - ps->pos)
        return NULL;
    ps->pos += (uint32_t)padded;
    return p;
}

static int begin_node(struct parser *ps)
{
    const char *name = (const char *)ps->b + ps->pos;
    size_t l = strnlen(name, ps->end - ps->pos);
    int err;

    if (l == ps->end - ps->pos || take(ps, (uint32_t)l + 1) == NULL)
        return FDT_E_BADSTRUCT;  // name runs off the structure block
    if (ps->depth > 0 && (err = finish_node(ps)) != FDT_OK)
        return err;
    if (ps->depth == FDT_MAX_DEPTH)
        return FDT_E_TOODEEP;
    ps->depth++;
    // Cell sizes start at the spec 2.3.5 defaults, for a node that does not say.
    ps->lv[ps->depth] = (struct level){ node_kind(ps->lv[ps->depth - 1].kind, name), false, 2, 1 };
    return FDT_OK;
}

static int prop(struct parser *ps)
{
    const uint8_t *hdr = take(ps, 8), *data;
    struct level *lv = &ps->lv[ps->depth];
    uint32_t len, off;
    const char *name;

    if (hdr == NULL)
        return FDT_E_TRUNCATED;
    len = be32(hdr);
    off = be32(hdr + 4);
    if ((data = take(ps, len)) == NULL)
        return FDT_E_BADSTRUCT;  // value runs off the structure block
    if (off >= ps->strs_len || strnlen(ps->strs + off, ps->strs_len - off) == ps->strs_len - off)
        return FDT_E_BADSTRING;
    if (ps->depth == 0 || lv->done)
        return FDT_E_BADSTRUCT;  // outside any node, or after a child node
    name = ps->strs + off;
    // Cell sizes go straight into the level: this node's children decode reg with them.
    bool ac = strcmp(name, "#address-cells") == 0;
    if (ac || strcmp(name, "#size-cells") == 0) {
        if (len != 4)
            return FDT_E_BADVALUE;
        *(ac ? &lv->ac : &lv->sc) = be32(data);
    }
    for (int i = 0; i < P_COUNT; i++) {
        if (strcmp(name, prop_names[i]) == 0) {
            ps->cur[i].p = data;
            ps->cur[i].len = len;
        }
    }
    return FDT_OK;
}

// Walk tokens up to FDT_END: one root node, balanced, nothing after it but NOPs.
static int walk(struct parser *ps)
{
    bool root_closed = false;
    for (;;) {
        const uint8_t *t = take(ps, 4);
        int err = FDT_OK;
        if (t == NULL)
            return FDT_E_TRUNCATED;
        switch (be32(t)) {
        case FDT_BEGIN_NODE:
            err = root_closed ? FDT_E_BADSTRUCT : begin_node(ps);
            break;
        case FDT_END_NODE:
            if (ps->depth == 0)
                return FDT_E_BADSTRUCT;  // END_NODE without BEGIN_NODE
            err = finish_node(ps);
            root_closed = --ps->depth == 0;
            break;
        case FDT_PROP:
            err = prop(ps);
            break;
        case FDT_NOP:
            break;
        case FDT_END:
            return root_closed ? FDT_OK : FDT_E_BADSTRUCT;
        default:
            return FDT_E_BADSTRUCT;
        }
        if (err)
            return err;
    }
}

// Memory reservation block: (address, size) u64 pairs up to a (0, 0) pair.
static int read_rsvmap(struct parser *ps, uint32_t off, uint32_t total)
{
    for (; total - off >= 16; off += 16) {
        struct fdt_info *o = ps->out;
        uint64_t base = read_cells(ps->b + off, 2), size = read_cells(ps->b + off + 8, 2);
        if (base == 0 && size == 0)
            return FDT_OK;
        if (o->nreserved == FDT_MAX_RESERVED)
            return FDT_E_BADVALUE;  // see take_reserved
        o->reserved[o->nreserved].base = base;
        o->reserved[o->nreserved++].size = size;
    }
    return FDT_E_TRUNCATED;
}

static bool inside(uint32_t off, uint32_t size, uint32_t total)
{
    return off <= total && size <= total - off;
}

// Check the header, then point the parser at the blocks it describes.
static int read_header(struct parser *ps, size_t avail)
{
    const uint8_t *b = ps->b;
    uint32_t total, version, off_struct, size_struct, off_strs, off_rsv;

    if (avail < 8)
        return FDT_E_TRUNCATED;
    if (be32(b) != FDT_MAGIC)
        return FDT_E_BADMAGIC;
    if ((total = be32(b + 4)) > avail)
        return FDT_E_TRUNCATED;
    if (total < 40)
        return FDT_E_BADSTRUCT;  // not even a whole header
    version = be32(b + 20);
    if (version < 16 || be32(b + 24) > 17)
        return FDT_E_BADVERSION;
    off_struct = be32(b + 8);
    off_strs = be32(b + 12);
    off_rsv = be32(b + 16);
    ps->strs_len = be32(b + 32);
    if (off_struct > total)
        return FDT_E_BADSTRUCT;
    // size_dt_struct came with v17; before that the block runs to the end of the blob.
    size_struct = version >= 17 ? be32(b + 36) : total - off_struct;
    // Spec 5.4: tokens are 4-aligned, the reservation map 8-aligned.
    if (!inside(off_struct, size_struct, total) || !inside(off_strs, ps->strs_len, total) ||
        off_rsv > total || off_struct % 4 != 0 || off_rsv % 8 != 0)
        return FDT_E_BADSTRUCT;
    ps->strs = (const char *)b + off_strs;
    ps->pos = off_struct;
    ps->end = off_struct + size_struct;
    return read_rsvmap(ps, off_rsv, total);
}

int fdt_parse(const void *blob, size_t avail, struct fdt_info *out)
{
    struct parser ps;
    int err;

    memset(out, 0, sizeof *out);
    memset(&ps, 0, sizeof ps);
    ps.b = blob;
    ps.out = out;
    ps.lv[0] = (struct level){ K_TOP, true, 2, 1 };  // the root's parent: default cells
    err = read_header(&ps, avail);
    if (err == FDT_OK)
        err = walk(&ps);
    if (err == FDT_OK && !ps.have_mem)
        err = FDT_E_NOMEM_NODE;
    if (err != FDT_OK)
        memset(out, 0, sizeof *out);
    return err;
}
