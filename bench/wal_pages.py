#!/usr/bin/env python3
"""Which tables the pages in a SQLite write-ahead log belong to.

Usage: wal_pages.py STORE.db STORE.db-wal

Counts the log's valid frames (those with the log header's salts) by page
number and names each page with `dbstat` on STORE.db (open it with its log
beside it, so that dbstat sees the pages as the log leaves them). Used for
BENCHMARKS.md ("Where the store's writes go"): hold a read transaction on a
bench store from a second connection (no checkpoint can pass it, so the log
keeps every frame written after), let the bench write on, then copy the
store and its log and run this on the copies.

Needs Python's sqlite3 module built with SQLITE_ENABLE_DBSTAT_VTAB (Debian's
is). Standard library only.
"""
import collections
import sqlite3
import struct
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    db, wal = argv[1], argv[2]
    with open(wal, 'rb') as f:
        data = f.read()
    if len(data) < 32:
        print(f'{wal}: not a write-ahead log (too short)', file=sys.stderr)
        return 1
    magic, _version, page_size, _checkpoint, salt1, salt2 = struct.unpack('>IIIIII', data[:24])
    if magic not in (0x377F0682, 0x377F0683):
        print(f'{wal}: not a write-ahead log (magic {magic:#x})', file=sys.stderr)
        return 1
    frame = 24 + page_size
    pages, commits = [], 0
    at = 32
    while at + frame <= len(data):
        page, commit_size, s1, s2 = struct.unpack('>IIII', data[at:at + 16])
        if (s1, s2) != (salt1, salt2):
            break  # left over from before the log last restarted
        pages.append(page)
        commits += commit_size != 0
        at += frame
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    owner = dict(con.execute('SELECT pageno, name FROM dbstat'))
    sizes = collections.Counter(owner.values())
    counts = collections.Counter(owner.get(p, '(free or other)') for p in pages)
    print(f'{len(pages)} frames, {commits} commits, page size {page_size}')
    print(f'{"frames":>8} {"share":>6} {"pages in it":>11}  table or index')
    for name, n in counts.most_common():
        print(f'{n:8d} {100 * n / max(1, len(pages)):5.1f}% {sizes.get(name, 0):11d}  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
