// The ext3 journal (jbd2 format, internal journal inode 8, no checksums, 32-bit tags).
//
// Writing: one running transaction holds every metadata block changed since the last
// commit (journaled buffers stay in the cache). A commit (ordered mode) is
//   1. zeros into unfilled blocks (ext2_bmap_fill), dirty data blocks home, flush (also
//      makes the previous checkpoint's "journal empty" durable before the log is reused)
//   2. descriptor + copies of the metadata blocks into the log from its first block, the
//      journal superblock pointing at them, flush
//   3. the commit block, flush         <- the transaction is durable here
//   4. the metadata blocks home, flush, journal superblock "empty" (s_start = 0)
// so the log holds at most one transaction and never needs revoke records: a block freed
// in the running transaction is simply dropped from it.
//
// Recovery (mount): the three jbd2 passes over the log from s_start, for journals written
// by Linux too: find the last complete transaction, collect revoke records, copy every
// logged block of the complete transactions home unless a later revoke covers it.
#include <stdlib.h>

#include "ext2_int.h"

#define JBD2_MAGIC        0xc03b3998u
#define JBD2_DESCRIPTOR   1
#define JBD2_COMMIT       2
#define JBD2_SB_V1        3
#define JBD2_SB_V2        4
#define JBD2_REVOKE       5
#define JBD2_FEATURE_REVOKE 0x1
#define TAG_ESCAPE    1
#define TAG_SAME_UUID 2
#define TAG_LAST      8
#define TAG_BYTES     8      // be32 block, be16 checksum, be16 flags
#define UUID_BYTES    16
#define JH_BYTES      12     // magic, type, sequence
#define TAGS_PER_DESC(fs) (((fs)->bs - JH_BYTES - UUID_BYTES) / TAG_BYTES)
#define HELD_MAX      16     // buffers one step holds at once (bread .. brelse), at most

// Journal superblock fields (byte offsets).
enum { JSB_BLOCKSIZE = 12, JSB_MAXLEN = 16, JSB_FIRST = 20, JSB_SEQUENCE = 24, JSB_START = 28,
       JSB_INCOMPAT = 40 };

static uint32_t jnext(const struct ext2_fs *fs, uint32_t pos)
{
    return pos + 1 < fs->jlen ? pos + 1 : fs->jfirst;
}

static int jio(struct ext2_fs *fs, uint32_t pos, void *buf, int write)
{
    if (write)
        fs->cnt.journal_blocks++;
    return dev_rw(fs, fs->jmap[pos], buf, write);
}

static void jheader(uint8_t *b, uint32_t type, uint32_t seq)
{
    putbe32(b, JBD2_MAGIC);
    putbe32(b + 4, type);
    putbe32(b + 8, seq);
}

// Rewrites the journal superblock with s_start and s_sequence. Only this library writes it
// while mounted, so the copy read at mount is current: it is never read again.
static int jsb_write(struct ext2_fs *fs, uint32_t start, uint32_t seq)
{
    putbe32(fs->jsb + JSB_START, start);
    putbe32(fs->jsb + JSB_SEQUENCE, seq);
    return jio(fs, 0, fs->jsb, 1);
}

// ---- recovery ----

enum pass { PASS_SCAN, PASS_REVOKE, PASS_REPLAY };
struct revoke { uint32_t blk, seq; };
struct recovery {
    uint32_t start, first_seq, end_seq;   // end_seq: one past the last complete transaction
    struct revoke *rv;
    uint32_t nrv, cap;
    uint8_t *blk, *data;
};

static int revoked(const struct recovery *rc, uint32_t blk, uint32_t seq)
{
    for (uint32_t i = 0; i < rc->nrv; i++)
        if (rc->rv[i].blk == blk && rc->rv[i].seq >= seq)
            return 1;
    return 0;
}

static int add_revokes(struct ext2_fs *fs, struct recovery *rc, uint32_t seq)
{
    uint32_t used = getbe32(rc->blk + JH_BYTES);
    if (used < JH_BYTES + 4 || used > fs->bs)
        return corrupt(fs);
    for (uint32_t off = JH_BYTES + 4; off + 4 <= used; off += 4) {
        if (rc->nrv == rc->cap) {
            uint32_t cap = rc->cap ? 2 * rc->cap : 256;
            struct revoke *n = realloc(rc->rv, cap * sizeof(*n));
            if (!n)
                return EXT2_E_NOMEM;
            rc->rv = n;
            rc->cap = cap;
        }
        rc->rv[rc->nrv++] = (struct revoke){ getbe32(rc->blk + off), seq };
    }
    return 0;
}

// The data blocks a descriptor announces: replayed home in PASS_REPLAY. *pos advances past
// them; returns their count or an error.
static int descriptor(struct ext2_fs *fs, struct recovery *rc, enum pass pass, uint32_t seq,
                      uint32_t *pos)
{
    int n = 0;
    for (uint32_t off = JH_BYTES; off + TAG_BYTES <= fs->bs;) {
        uint32_t blk = getbe32(rc->blk + off);
        uint32_t flags = getbe32(rc->blk + off + 4) & 0xffff;
        off += TAG_BYTES + (flags & TAG_SAME_UUID ? 0 : UUID_BYTES);
        *pos = jnext(fs, *pos);
        n++;
        if (pass == PASS_REPLAY && !revoked(rc, blk, seq)) {
            if (!block_valid(fs, blk))
                return corrupt(fs);
            int r = jio(fs, *pos, rc->data, 0);
            if (r < 0)
                return r;
            if (flags & TAG_ESCAPE)
                putbe32(rc->data, JBD2_MAGIC);
            if ((r = dev_rw(fs, blk, rc->data, 1)) < 0)
                return r;
        }
        if (flags & TAG_LAST)
            break;
    }
    return n;
}

// One pass over the log. The scan stops at the first block that does not continue the
// sequence (the crash point); the others stop at the end the scan found.
static int walk(struct ext2_fs *fs, struct recovery *rc, enum pass pass)
{
    uint32_t pos = rc->start, seq = rc->first_seq;
    uint64_t budget = fs->jlen;   // a log never holds more blocks than the journal
    while (budget-- > 0 && (pass == PASS_SCAN || seq != rc->end_seq)) {
        int r = jio(fs, pos, rc->blk, 0);
        if (r < 0)
            return r;
        if (getbe32(rc->blk) != JBD2_MAGIC || getbe32(rc->blk + 8) != seq)
            break;
        uint32_t type = getbe32(rc->blk + 4);
        if (type == JBD2_DESCRIPTOR) {
            r = descriptor(fs, rc, pass, seq, &pos);
            if (r < 0)
                return r;
            if ((uint64_t)r > budget)
                break;
            budget -= (uint64_t)r;
        } else if (type == JBD2_COMMIT) {
            seq++;
            if (pass == PASS_SCAN)
                rc->end_seq = seq;
        } else if (type == JBD2_REVOKE) {
            if (pass == PASS_REVOKE && (r = add_revokes(fs, rc, seq)) < 0)
                return r;
        } else {
            break;
        }
        pos = jnext(fs, pos);
    }
    return 0;
}

static int recover(struct ext2_fs *fs, uint8_t *jsb)
{
    struct recovery rc = {
        .start = getbe32(jsb + JSB_START),
        .first_seq = getbe32(jsb + JSB_SEQUENCE),
        .blk = malloc(fs->bs),
        .data = malloc(fs->bs),
    };
    rc.end_seq = rc.first_seq;
    int r = rc.blk && rc.data ? 0 : EXT2_E_NOMEM;
    if (r == 0 && (rc.start < fs->jfirst || rc.start >= fs->jlen))
        r = corrupt(fs);
    for (enum pass p = PASS_SCAN; r == 0 && p <= PASS_REPLAY; p++)
        r = walk(fs, &rc, p);
    if (r == 0 && (r = cache_flush_dev(fs)) == 0 &&
        (r = jsb_write(fs, 0, rc.end_seq)) == 0)
        r = cache_flush_dev(fs);
    free(rc.rv);
    free(rc.blk);
    free(rc.data);
    return r;
}

// ---- loading ----

// jmap[i] = the fs block of journal block i, each checked.
static int map_journal(struct ext2_fs *fs, uint32_t jlen)
{
    struct ext2_inode ji;
    int r = iget(fs, EXT2_JOURNAL_INO, &ji);
    if (r < 0)
        return r;
    if ((ji.mode & EXT2_S_IFMT) != EXT2_S_IFREG || isize(&ji) < (uint64_t)jlen * fs->bs)
        return corrupt(fs);
    fs->jmap = malloc(jlen * sizeof(*fs->jmap));
    if (!fs->jmap)
        return EXT2_E_NOMEM;
    for (uint32_t i = 0; i < jlen; i++) {
        uint32_t blk;
        if ((r = imap(fs, EXT2_JOURNAL_INO, &ji, i, 0, &blk)) < 0)
            return r;
        if (blk == 0)
            return corrupt(fs);
        fs->jmap[i] = blk;
    }
    fs->jlen = jlen;
    return 0;
}

// How many metadata blocks one transaction may hold: the log must take them with their
// descriptors and the commit block, and the cache must keep them besides the buffers a step
// holds (HELD_MAX).
static uint32_t txn_capacity(const struct ext2_fs *fs)
{
    uint32_t log = (fs->jlen - fs->jfirst - 1) / (TAGS_PER_DESC(fs) + 1) * TAGS_PER_DESC(fs);
    uint32_t cache = fs->nbufs - HELD_MAX;
    return log < cache ? log : cache;
}

// Returns 1 if it replayed the log (the caller loads the file system again), 0 if the
// journal was clean, or an error.
int journal_load(struct ext2_fs *fs)
{
    const struct ext2_super *s = &fs->sb;
    fs->txn_limit = fs->nbufs - HELD_MAX - step_max(fs);
    if (!(s->feature_compat & COMPAT_HAS_JOURNAL))
        return 0;
    if (s->journal_inum != EXT2_JOURNAL_INO || s->journal_dev != 0)
        return EXT2_E_UNSUPPORTED;
    uint8_t *jsb = fs->jsb = malloc(fs->bs);
    if (!jsb)
        return EXT2_E_NOMEM;
    // Journal block 0 is the journal superblock: map it first to learn the length.
    int r = map_journal(fs, 1);
    if (r == 0)
        r = dev_rw(fs, fs->jmap[0], jsb, 0);
    uint32_t type = getbe32(jsb + 4), maxlen = getbe32(jsb + JSB_MAXLEN);
    if (r == 0 && (getbe32(jsb) != JBD2_MAGIC || (type != JBD2_SB_V1 && type != JBD2_SB_V2) ||
                   getbe32(jsb + JSB_BLOCKSIZE) != fs->bs || maxlen < 32 || maxlen > (1u << 20)))
        r = corrupt(fs);
    if (r == 0 && type == JBD2_SB_V2 && (getbe32(jsb + JSB_INCOMPAT) & ~JBD2_FEATURE_REVOKE))
        r = EXT2_E_UNSUPPORTED;
    if (r == 0) {
        free(fs->jmap);
        fs->jmap = NULL;
        r = map_journal(fs, maxlen);
    }
    fs->jfirst = getbe32(jsb + JSB_FIRST);
    fs->jseq = getbe32(jsb + JSB_SEQUENCE);
    if (r == 0 && (fs->jfirst < 1 || fs->jfirst + 16 > fs->jlen))
        r = corrupt(fs);
    uint32_t start = getbe32(jsb + JSB_START);   // recovery rewrites it
    if (r == 0 && start != 0)
        r = fs->ro ? EXT2_E_ROFS : recover(fs, jsb);
    if (r == 0 && start != 0)
        r = 1;
    if (r < 0)
        return r;
    fs->has_journal = 1;
    uint32_t cap = txn_capacity(fs);
    if (cap < 2 * step_max(fs))
        return EXT2_E_UNSUPPORTED;   // a journal too small for this geometry
    fs->txn_limit = cap - step_max(fs);
    return r;
}

void journal_free(struct ext2_fs *fs)
{
    free(fs->jmap);
    fs->jmap = NULL;
    free(fs->jsb);
    fs->jsb = NULL;
}

int bjournal(struct ext2_fs *fs, struct buf *b)
{
    if (fs->ro)
        return fs->error ? fs->error : EXT2_E_ROFS;
    if (!b->journaled) {
        b->journaled = 1;
        b->dirty = 0;
        fs->txn_blocks++;
    }
    return 0;
}

int journal_step(struct ext2_fs *fs)
{
    return fs->txn_blocks > fs->txn_limit ? journal_commit(fs) : 0;
}

// ---- commit ----

// Step 2: descriptors and block copies from the log's first block; returns the position
// after them.
static int write_log(struct ext2_fs *fs, struct buf **txn, uint32_t n, uint8_t *desc,
                     uint8_t *copy, uint32_t *end)
{
    uint32_t per_desc = TAGS_PER_DESC(fs), pos = fs->jfirst;
    for (uint32_t i = 0; i < n;) {
        uint32_t k = n - i < per_desc ? n - i : per_desc, dpos = pos, off = JH_BYTES;
        memset(desc, 0, fs->bs);
        jheader(desc, JBD2_DESCRIPTOR, fs->jseq);
        for (uint32_t j = 0; j < k; j++, i++) {
            uint32_t flags = (j ? TAG_SAME_UUID : 0) | (j == k - 1 ? TAG_LAST : 0);
            memcpy(copy, txn[i]->data, fs->bs);
            if (getbe32(copy) == JBD2_MAGIC) {   // must not look like a journal block
                put32(copy, 0);
                flags |= TAG_ESCAPE;
            }
            putbe32(desc + off, (uint32_t)txn[i]->blk);
            putbe32(desc + off + 4, flags);
            off += TAG_BYTES;
            if (j == 0) {
                memcpy(desc + off, fs->sb.uuid, UUID_BYTES);
                off += UUID_BYTES;
            }
            pos = jnext(fs, pos);
            int r = jio(fs, pos, copy, 1);
            if (r < 0)
                return r;
        }
        int r = jio(fs, dpos, desc, 1);
        if (r < 0)
            return r;
        pos = jnext(fs, pos);
    }
    *end = pos;
    return 0;
}

static int log_and_checkpoint(struct ext2_fs *fs, struct buf **txn, uint32_t n, uint8_t *s1,
                              uint8_t *s2)
{
    uint32_t pos;
    int r = write_log(fs, txn, n, s1, s2, &pos);
    if (r == 0 && (r = jsb_write(fs, fs->jfirst, fs->jseq)) == 0)
        r = cache_flush_dev(fs);
    if (r < 0)
        return r;
    memset(s1, 0, fs->bs);
    jheader(s1, JBD2_COMMIT, fs->jseq);
    if ((r = jio(fs, pos, s1, 1)) < 0 || (r = cache_flush_dev(fs)) < 0)
        return r;
    for (uint32_t i = 0; i < n; i++)
        if ((r = dev_rw(fs, txn[i]->blk, txn[i]->data, 1)) < 0)
            return r;
    if ((r = cache_flush_dev(fs)) < 0)
        return r;
    return jsb_write(fs, 0, fs->jseq + 1);
}

// The transaction's buffers, in cache order.
static struct buf **txn_list(struct ext2_fs *fs)
{
    struct buf **txn = malloc((fs->txn_blocks ? fs->txn_blocks : 1) * sizeof(*txn));
    uint32_t n = 0;
    for (uint32_t i = 0; txn && i < fs->nbufs; i++)
        if (fs->bufs[i].journaled)
            txn[n++] = &fs->bufs[i];
    return txn;
}

int journal_commit(struct ext2_fs *fs)
{
    if (fs->ro)
        return fs->error;
    int r = cache_zero_unfilled(fs);
    if (r == 0)
        r = cache_write_dirty(fs);
    if (r == 0)
        r = cache_flush_dev(fs);
    if (r < 0 || fs->txn_blocks == 0)
        return r;
    if (fs->has_journal && fs->txn_blocks > txn_capacity(fs))   // a step past step_max()
        return fs_fail(fs, EXT2_E_NOSPC);
    struct buf **txn = txn_list(fs);
    uint8_t *s1 = malloc(fs->bs), *s2 = malloc(fs->bs);
    if (!txn || !s1 || !s2)
        r = fs_fail(fs, EXT2_E_NOMEM);
    else if (fs->has_journal)
        r = log_and_checkpoint(fs, txn, fs->txn_blocks, s1, s2);
    for (uint32_t i = 0; r == 0 && !fs->has_journal && i < fs->txn_blocks; i++)
        r = dev_rw(fs, txn[i]->blk, txn[i]->data, 1);   // plain ext2: no atomicity
    if (r == 0 && !fs->has_journal)
        r = cache_flush_dev(fs);
    for (uint32_t i = 0; r == 0 && i < fs->txn_blocks; i++) {
        txn[i]->journaled = 0;
        free(txn[i]->committed);
        txn[i]->committed = NULL;
    }
    if (r == 0) {
        fs->txn_blocks = 0;
        fs->txn_freed = 0;
        fs->jseq++;
        fs->cnt.commits++;
    }
    free(txn);
    free(s1);
    free(s2);
    return r;
}
