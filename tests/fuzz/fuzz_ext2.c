// libFuzzer target for the ext2/ext3 library (user/lib/fs): the input replaces the first
// bytes (up to 64 KiB: superblock, descriptors, bitmaps, inode table, directories and the
// start of the journal) of a small ext3 image whose journal holds a committed transaction.
// Mount (which replays it), walk and change the file system: any error is fine, a crash,
// an out-of-bounds access, undefined behaviour or a leak is not.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/support/ext2_memdev.h"

#define BASE_PATH "build/fuzz/ext2-base.img"
#define SEED_PATH "build/fuzz/corpus_ext2/dirty-image-head"
#define HEAD_MAX (64 * 1024)

static uint8_t *base, *disk;
static uint64_t base_size;

// Makes the base image, and the corpus's seed from its head (libFuzzer reads the corpus
// directory after this).
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (system("mkdir -p build/fuzz/corpus_ext2") != 0 ||
        ext2_dirty_image(BASE_PATH, &base, &base_size) < 0 || base_size < HEAD_MAX)
        abort();
    disk = malloc(base_size);
    return image_save(SEED_PATH, base, HEAD_MAX) < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memcpy(disk, base, base_size);
    memcpy(disk, data, size < HEAD_MAX ? size : HEAD_MAX);
    struct memdev md;
    memdev_init(&md, disk, base_size);
    struct ext2_blkdev dev = memdev_blkdev(&md);
    struct ext2_fs *fs;
    if (ext2_mount(&dev, NULL, &fs) == 0) {
        ext2_exercise(fs);
        ext2_unmount(fs);
    }
    memdev_free(&md);
    return 0;
}
