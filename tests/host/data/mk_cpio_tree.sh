#!/bin/sh
# Create the directory tree that tests/host/cpio.mk archives with the real
# `cpio` tool. Names, contents and modes must match `want[]` in
# tests/host/test_cpio.c. Name lengths and file sizes are chosen so that
# every padding amount (0..3 bytes) occurs after both a name and a file body
# (GNU cpio stores "./a" as "a").
set -e
root=$1
rm -rf "$root"
mkdir -p "$root/bin"
printf 'hello, world\n' > "$root/hello"        # 13 bytes
: > "$root/empty"                               # 0 bytes
printf 'A' > "$root/a"                          # "a"    namesize 2, 1 byte
printf 'ab' > "$root/ab"                        # "ab"   namesize 3, 2 bytes
printf 'abc' > "$root/abc"                      # "abc"  namesize 4, 3 bytes
printf 'abcd' > "$root/abcd"                    # "abcd" namesize 5, 4 bytes
printf '\177ELF\000\001\002\003init\n' > "$root/bin/init" # binary, embedded NUL
ln -s hello "$root/link"
chmod 755 "$root" "$root/bin" "$root/bin/init"
chmod 644 "$root/hello" "$root/empty" "$root/a" "$root/ab" "$root/abcd"
chmod 600 "$root/abc"
