// heapfrag: a fragmented Go heap for kcollapse's guest tests
// (tests/guest/t/60-runtimes.sh, README.md here).
//
// Allocates objects of mixed sizes whose contents follow from their index,
// keeps about one in -keep of them (scattered), collects and returns the
// free memory to the OS, prints "READY pid=N objects=M" and then reads
// commands on stdin: "verify" checks every survivor, allocates and collects
// more, and prints "VERIFIED n" or "CORRUPT ..."; "exit" exits 0.
//
// Go 1.19 marks the heap it scavenges MADV_NOHUGEPAGE: the case the module
// must still pack, and collapse with --mark-hugepage.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

type object struct {
	id    uint64
	words []uint64
	peer  *object // another survivor: the pointer graph is checked too
}

var seed uint64

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// nwords: mostly small objects, some medium, a few large (over 32 KiB
// Go allocates them as spans of their own).
func nwords(id uint64) int {
	h := mix(id ^ seed ^ 0x5151)
	switch r := h % 100; {
	case r < 60:
		return 2 + int(h>>8%31)
	case r < 90:
		return 64 + int(h>>8%961)
	case r < 99:
		return 2048 + int(h>>8%6145)
	default:
		return 32768 + int(h>>8%32769)
	}
}

func word(id uint64, j int) uint64 { return mix(id<<24 ^ uint64(j) ^ seed) }

func kept(id uint64, keep uint64) bool { return mix(id^seed^0xa5a5)%keep == 0 }

type heap struct {
	live   []*object
	nextID uint64
	keep   uint64
}

// grow allocates objects until mib MiB were allocated, keeping the chosen
// ones; the others become garbage at once.
func (h *heap) grow(mib int) {
	var bytes int
	for bytes < mib<<20 {
		id := h.nextID
		h.nextID++
		o := &object{id: id, words: make([]uint64, nwords(id))}
		for j := range o.words {
			o.words[j] = word(id, j)
		}
		bytes += 8*len(o.words) + 48
		if kept(id, h.keep) {
			if n := len(h.live); n > 0 {
				o.peer = h.live[mix(id)%uint64(n)]
			}
			h.live = append(h.live, o)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
}

// verify checks every survivor's id, keep rule, size, words and peer.
func (h *heap) verify() error {
	ids := make(map[uint64]bool, len(h.live))
	for _, o := range h.live {
		ids[o.id] = true
	}
	for i, o := range h.live {
		if !kept(o.id, h.keep) || len(o.words) != nwords(o.id) {
			return fmt.Errorf("object %d: id %d or length %d wrong", i, o.id, len(o.words))
		}
		for j, w := range o.words {
			if w != word(o.id, j) {
				return fmt.Errorf("object %d id %d word %d: %#x, want %#x", i, o.id, j, w, word(o.id, j))
			}
		}
		if o.peer != nil && !ids[o.peer.id] {
			return fmt.Errorf("object %d id %d: peer id %d is not a survivor", i, o.id, o.peer.id)
		}
	}
	return nil
}

func main() {
	mib := flag.Int("mib", 120, "MiB to allocate")
	keep := flag.Uint64("keep", 12, "keep one object in KEEP")
	flag.Uint64Var(&seed, "seed", 1, "seed of sizes, contents and survivors")
	flag.Parse()
	h := &heap{keep: *keep}
	h.grow(*mib)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("READY pid=%d objects=%d heapInuse=%d heapReleased=%d\n",
		os.Getpid(), len(h.live), ms.HeapInuse, ms.HeapReleased)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "verify":
			err := h.verify()
			if err == nil {
				// keep running: more garbage, more survivors, checked too
				h.grow(*mib / 4)
				err = h.verify()
			}
			if err != nil {
				fmt.Printf("CORRUPT %v\n", err)
				continue
			}
			fmt.Printf("VERIFIED %d\n", len(h.live))
		case "exit":
			os.Exit(0)
		default:
			fmt.Printf("ERROR unknown command %q\n", in.Text())
		}
	}
}
