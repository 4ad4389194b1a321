"""heapfrag.py: a fragmented CPython heap for kcollapse's guest tests
(tests/guest/t/60-runtimes.sh, README.md here).

Same protocol as heapfrag.go: objects of mixed kinds and sizes whose
contents follow from their index, about one in --keep kept (scattered), the
rest dropped; gc.collect() (pymalloc unmaps its emptied arenas), big bytes
objects that malloc serves with mmap and unmaps when freed, malloc_trim()
when ctypes is there; then "READY pid=N objects=M" and commands on stdin:
"verify" (check every survivor, allocate and collect more, "VERIFIED n" or
"CORRUPT ...") and "exit".
"""
import argparse
import gc
import os
import sys

MASK = (1 << 64) - 1
seed = 1


def mix(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def make(i):
    """The object of index i: built the same way every time."""
    h = mix(i ^ seed ^ 0x5151)
    r = h % 100
    if r < 65:  # small containers: pymalloc arenas
        return (i, str(i), [i * 3, i * 5, i * 7][: 1 + h % 3])
    if r < 80:
        return {"id": i, "name": "obj-%d" % i, "sq": i * i}
    pat = mix(i << 8 ^ seed).to_bytes(8, "little")
    if r < 95:  # bytes of 0.1-8 KiB: pymalloc up to 512 B, malloc above
        n = 128 + (h >> 8) % 8064
    elif r < 99:  # 16-64 KiB: malloc's heap
        n = 16384 + (h >> 8) % 49152
    else:  # 256 KiB-1 MiB: malloc's mmap
        n = 262144 + (h >> 8) % 786432
    return pat * (n // 8) + pat[: n % 8]


def kept(i, keep):
    return mix(i ^ seed ^ 0xA5A5) % keep == 0


def size(o):
    return len(o) if isinstance(o, bytes) else 64 * len(o)


def release():
    gc.collect()
    try:  # hand malloc's free pages back, as a long-running server would
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (ImportError, OSError):
        pass


class Heap:
    def __init__(self, keep):
        self.keep = keep
        self.live = {}
        self.next = 0

    def grow(self, mib):
        total = 0
        junk = []
        while total < mib << 20:
            i = self.next
            self.next += 1
            o = make(i)
            total += size(o) + 64
            if kept(i, self.keep):
                self.live[i] = o
            else:
                junk.append(o)
            # drop garbage in batches, so survivors and garbage interleave
            if len(junk) > 2000:
                junk = []
        junk = None
        release()

    def verify(self):
        for i, o in self.live.items():
            if not kept(i, self.keep) or o != make(i):
                return "object %d: %r" % (i, o if size(o) < 200 else type(o))
        return None


def main():
    global seed
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=120)
    ap.add_argument("--keep", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    seed = a.seed
    h = Heap(a.keep)
    h.grow(a.mib)
    print("READY pid=%d objects=%d" % (os.getpid(), len(h.live)), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "verify":
            err = h.verify()
            if err is None:
                h.grow(a.mib // 4)
                err = h.verify()
            print("CORRUPT " + err if err else "VERIFIED %d" % len(h.live), flush=True)
        elif cmd == "exit":
            sys.exit(0)
        else:
            print("ERROR unknown command %r" % cmd, flush=True)


if __name__ == "__main__":
    main()
