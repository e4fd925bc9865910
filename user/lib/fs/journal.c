// The ext3 journal (jbd2 format, internal journal inode 8, no checksums, 32-bit tags).
//
// Writing: one running transaction holds every metadata block changed since the last
// commit (journaled buffers stay in the cache). The log is circular: committed transactions
// follow one another from the tail to the head, wrapping at the journal's end. A commit
// (ordered mode) is
//   1. zeros into unfilled blocks (ext2_bmap_fill) and dirty data blocks home; at the head,
//      revoke records, descriptors and copies of the metadata blocks (after the journal
//      superblock if the log was empty, pointing it at the new tail), consecutive blocks in
//      one device request; flush
//   2. the commit block, flush         <- the transaction is durable here
// and leaves the blocks pinned in the cache: none is written home, none may be evicted.
// A checkpoint writes every pinned block home, flush, marks the log empty (journal
// superblock s_start = 0), flush; it runs only when needed: the log lacks room for a commit,
// the cache has nothing else to evict, ext2_sync, unmount. A pinned block freed is revoked
// in the running transaction (and its committed contents written home at once), so a
// replay never writes it over the block's next owner.
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
#define RUN_BYTES     (64u * 1024)   // the most log bytes one device request carries

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
    // Transactions go on from a sequence number no block of the old log carries (the last
    // one, incomplete, may have left some), like e2fsck's recovery does.
    if (r == 0 && (r = cache_flush_dev(fs)) == 0 &&
        (r = jsb_write(fs, 0, rc.end_seq + 1)) == 0)
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
    fs->jhead = fs->jfirst;
    fs->revoked = malloc(fs->nbufs * sizeof(*fs->revoked));
    fs->jrun = malloc(RUN_BYTES);
    if (!fs->revoked || !fs->jrun)
        return EXT2_E_NOMEM;
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
    free(fs->revoked);
    fs->revoked = NULL;
    free(fs->jrun);
    fs->jrun = NULL;
}

int bjournal(struct ext2_fs *fs, struct buf *b)
{
    if (fs->ro)
        return fs->error ? fs->error : EXT2_E_ROFS;
    if (b->journaled)
        return 0;
    if (b->pinned && !b->committed) {   // a checkpoint must still write what was committed
        b->committed = malloc(fs->bs);
        if (!b->committed)
            return fs_fail(fs, EXT2_E_NOMEM);
        memcpy(b->committed, b->data, fs->bs);
    }
    b->journaled = 1;
    b->dirty = 0;
    fs->txn_blocks++;
    return 0;
}

int journal_step(struct ext2_fs *fs)
{
    return fs->txn_blocks > fs->txn_limit ? journal_commit(fs) : 0;
}

// ---- checkpoint ----

// What a pinned block holds at the last commit: its home contents.
static const uint8_t *home_copy(const struct buf *b)
{
    return b->journaled && b->committed ? b->committed : b->data;
}

int journal_checkpoint(struct ext2_fs *fs)
{
    if (fs->ro)
        return fs->error ? fs->error : EXT2_E_ROFS;
    if (fs->jused == 0)
        return 0;
    int r = 0;
    for (uint32_t i = 0; r == 0 && i < fs->nbufs; i++)
        if (fs->bufs[i].pinned)
            r = dev_rw(fs, fs->bufs[i].blk, (void *)home_copy(&fs->bufs[i]), 1);
    // The blocks are home before the log forgets them, and the log is forgotten before the
    // next commit writes over it.
    if (r < 0 || (r = cache_flush_dev(fs)) < 0 || (r = jsb_write(fs, 0, fs->jseq)) < 0 ||
        (r = cache_flush_dev(fs)) < 0)
        return r;
    for (uint32_t i = 0; i < fs->nbufs; i++)
        fs->bufs[i].pinned = 0;
    fs->jused = 0;
    fs->nrevoked = 0;
    fs->cnt.checkpoints++;
    return 0;
}

// b, committed in a transaction still in the log, is being freed: the running transaction
// revokes it, so a replay never writes its old contents over the block's next owner, and its
// committed contents go home now, as the checkpoint that empties the log (maybe before the
// running transaction commits) will not find it.
int journal_forget(struct ext2_fs *fs, struct buf *b)
{
    int r = dev_rw(fs, b->blk, (void *)home_copy(b), 1);
    if (r < 0)
        return r;
    b->pinned = 0;
    if (fs->nrevoked == fs->nbufs)   // cannot happen: each was a pinned buffer
        return journal_checkpoint(fs);
    fs->revoked[fs->nrevoked++] = (uint32_t)b->blk;
    return 0;
}

// ---- commit ----

// Log blocks gathered in fs->jrun for one device request: n of them from journal block first,
// consecutive on the device. pos: where the next log block goes.
struct logw {
    uint32_t pos, first, n;
};

static int run_write(struct ext2_fs *fs, struct logw *w)
{
    int r = w->n ? dev_write_run(fs, fs->jmap[w->first], w->n, fs->jrun) : 0;
    fs->cnt.journal_blocks += w->n;
    w->n = 0;
    return r;
}

// The buffer for journal block pos, gathered behind the others if it follows them on the
// device (else they are written first).
static int run_slot(struct ext2_fs *fs, struct logw *w, uint32_t pos, uint8_t **slot)
{
    if (w->n && (w->n == RUN_BYTES / fs->bs || fs->jmap[pos] != fs->jmap[w->first] + w->n)) {
        int r = run_write(fs, w);
        if (r < 0)
            return r;
    }
    if (w->n == 0)
        w->first = pos;
    *slot = fs->jrun + (size_t)w->n++ * fs->bs;
    return 0;
}

// The next log block's buffer, zeroed, with the header of type.
static int log_block(struct ext2_fs *fs, struct logw *w, uint32_t type, uint8_t **slot)
{
    int r = run_slot(fs, w, w->pos, slot);
    if (r < 0)
        return r;
    w->pos = jnext(fs, w->pos);
    memset(*slot, 0, fs->bs);
    jheader(*slot, type, fs->jseq);
    return 0;
}

static uint32_t revokes_per_block(const struct ext2_fs *fs) { return (fs->bs - JH_BYTES - 4) / 4; }

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// The log blocks a transaction of n blocks takes: revoke records, descriptors, the copies,
// the commit block.
static uint32_t log_need(const struct ext2_fs *fs, uint32_t n)
{
    return div_up(fs->nrevoked, revokes_per_block(fs)) + div_up(n, TAGS_PER_DESC(fs)) + n + 1;
}

static int put_revokes(struct ext2_fs *fs, struct logw *w)
{
    for (uint32_t i = 0; i < fs->nrevoked;) {
        uint8_t *b;
        int r = log_block(fs, w, JBD2_REVOKE, &b);
        if (r < 0)
            return r;
        uint32_t off = JH_BYTES + 4;
        for (; i < fs->nrevoked && off + 4 <= fs->bs; off += 4)
            putbe32(b + off, fs->revoked[i++]);
        putbe32(b + JH_BYTES, off);
    }
    return 0;
}

// A descriptor for the k blocks from txn, whole before anything else is gathered (a run may
// go out behind it), then their copies, escaped: none may look like a journal block.
static int put_descriptor(struct ext2_fs *fs, struct logw *w, struct buf **txn, uint32_t k)
{
    uint8_t *b;
    int r = log_block(fs, w, JBD2_DESCRIPTOR, &b);
    for (uint32_t j = 0, off = JH_BYTES; r == 0 && j < k; j++) {
        uint32_t flags = (j ? TAG_SAME_UUID : 0) | (j == k - 1 ? TAG_LAST : 0);
        flags |= getbe32(txn[j]->data) == JBD2_MAGIC ? TAG_ESCAPE : 0;
        putbe32(b + off, (uint32_t)txn[j]->blk);
        putbe32(b + off + 4, flags);
        off += TAG_BYTES;
        if (j == 0) {
            memcpy(b + off, fs->sb.uuid, UUID_BYTES);
            off += UUID_BYTES;
        }
    }
    for (uint32_t j = 0; r == 0 && j < k; j++) {
        if ((r = run_slot(fs, w, w->pos, &b)) < 0)
            break;
        w->pos = jnext(fs, w->pos);
        memcpy(b, txn[j]->data, fs->bs);
        if (getbe32(b) == JBD2_MAGIC)
            put32(b, 0);
    }
    return r;
}

// Everything of the transaction but its commit block, from the head: the journal superblock
// first if the log is empty (it points at the new tail), revoke records, descriptors and
// copies, as few device requests as the journal's layout on the device allows.
static int write_log(struct ext2_fs *fs, struct logw *w, struct buf **txn, uint32_t n)
{
    int r = 0;
    if (fs->jused == 0) {
        uint8_t *b;
        putbe32(fs->jsb + JSB_START, fs->jhead);
        putbe32(fs->jsb + JSB_SEQUENCE, fs->jseq);
        if ((r = run_slot(fs, w, 0, &b)) < 0)
            return r;
        memcpy(b, fs->jsb, fs->bs);
    }
    if ((r = put_revokes(fs, w)) < 0)
        return r;
    for (uint32_t i = 0, per = TAGS_PER_DESC(fs); r == 0 && i < n; i += per)
        r = put_descriptor(fs, w, txn + i, n - i < per ? n - i : per);
    return r < 0 ? r : run_write(fs, w);
}

// The transaction into the log (ordered mode: the data written before it is flushed with
// it), then its commit block: durable when this returns. Checkpoints first if the log has no
// room for it. Its blocks stay pinned in the cache until a checkpoint writes them home.
static int log_transaction(struct ext2_fs *fs, struct buf **txn, uint32_t n)
{
    int r = 0;
    if (log_need(fs, n) > fs->jlen - fs->jfirst - fs->jused && (r = journal_checkpoint(fs)) < 0)
        return r;
    uint32_t need = log_need(fs, n);
    struct logw w = { .pos = fs->jhead };
    uint8_t *b;
    if ((r = write_log(fs, &w, txn, n)) < 0 || (r = cache_flush_dev(fs)) < 0 ||
        (r = log_block(fs, &w, JBD2_COMMIT, &b)) < 0 || (r = run_write(fs, &w)) < 0 ||
        (r = cache_flush_dev(fs)) < 0)
        return r;
    fs->jhead = w.pos;
    fs->jused += need;
    fs->nrevoked = 0;
    for (uint32_t i = 0; i < n; i++)
        txn[i]->pinned = 1;
    return 0;
}

// Plain ext2: the blocks home, no atomicity.
static int write_home(struct ext2_fs *fs, struct buf **txn, uint32_t n)
{
    int r = 0;
    for (uint32_t i = 0; r == 0 && i < n; i++)
        r = dev_rw(fs, txn[i]->blk, txn[i]->data, 1);
    return r < 0 ? r : cache_flush_dev(fs);
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
    if (r < 0)
        return r;
    if (fs->txn_blocks == 0)   // nothing to log: only data written since the last flush
        return fs->unflushed ? cache_flush_dev(fs) : 0;
    if (fs->has_journal && fs->txn_blocks > txn_capacity(fs))   // a step past step_max()
        return fs_fail(fs, EXT2_E_NOSPC);
    struct buf **txn = txn_list(fs);
    if (!txn)
        return fs_fail(fs, EXT2_E_NOMEM);
    uint32_t n = fs->txn_blocks;
    r = fs->has_journal ? log_transaction(fs, txn, n) : write_home(fs, txn, n);
    for (uint32_t i = 0; r == 0 && i < n; i++) {
        txn[i]->journaled = 0;
        free(txn[i]->committed);
        txn[i]->committed = NULL;
    }
    free(txn);
    if (r < 0)
        return r;
    fs->txn_blocks = 0;
    fs->txn_freed = 0;
    fs->jseq++;
    fs->cnt.commits++;
    return 0;
}

int journal_sync(struct ext2_fs *fs)
{
    int r = journal_commit(fs);
    return r < 0 || !fs->has_journal ? r : journal_checkpoint(fs);
}
