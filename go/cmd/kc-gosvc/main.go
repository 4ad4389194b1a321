// Command kc-gosvc is the long-lived Go service of the lazy-restore harness
// (bench/resume/, workload "gosvc"): a cache server whose heap is
// fragmented by its own work before the pause, answering requests on a
// serial line after it.
//
//	kc-gosvc [--seed N] [--mib M] [--keep K] [--touch T] [--serve DEV]
//	         [--gc-when-ready] [--selftest]
//
// Start-up is its own work, in three phases of synthetic requests (each
// allocates garbage of mixed sizes: maps, slices, strings):
//
//  1. warm-up: requests fill a cache (map of id -> entry: a byte slice of
//     64 B .. 32 KiB, a name string, some small tag maps) up to --mib MiB;
//  2. expiry: all but about one entry in --keep, chosen by a hash of its id
//     (so the survivors are scattered over the heap), expire, and as many
//     requests again run with the cache at that size: their garbage and
//     new entries reuse the holes;
//  3. runtime.GC() and debug.FreeOSMemory(): the free pages go back to the
//     kernel and the live heap stays where it was, spread over the frames
//     the warm-up's heap filled.
//
// Then it clears its anonymous pages' accessed bits (/proc/self/clear_refs:
// from there on, what kcollapse counts as hot is what the service touches),
// serves a few requests to itself (the hot set was touched just before the
// pause, as a service's is), turns the collector's periodic run
// off (a forced GC every 2 minutes would land in a measured window at
// random; --gc-when-ready keeps it) and prints, on stdout, the lines
// bench/resume/guest/run-all.sh reads of kc-benchheap:
//
//	gosvc {json}          the heap it built
//	range START:LEN       its heap arenas (the rw mappings at Go's arena hint)
//	ready PID
//
// and waits: SIGUSR1 runs the in-process baseline (MADV_HUGEPAGE, then
// MADV_COLLAPSE on every 2 MiB window of every anonymous rw mapping) and
// prints "baseline {json}"; SIGUSR2 prints "heapframes N F,F,..." (the
// distinct 2 MiB physical frames of its resident heap pages, from
// pagemap); SIGTERM exits 0. With --serve DEV each line read from DEV is a
// request, answered on DEV with one line
//
//	answer N SUM ENTRIES
//
// after looking up its working set (every hot entry, one in --touch chosen
// by a hash of the id, plus 64 entries chosen by the request's number),
// verifying each entry's contents against its checksum and updating it.
// SUM is a checksum of what the lookups read, the same for every variant
// of a run; a damaged entry makes the answer "answer N corrupt-C ID,...".
//
// --selftest builds the heap, answers one request, damages one byte of a
// hot entry behind the service's back, and checks that the next request
// reports it: exit 0 and "selftest ok" when it does.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

func main() {
	var cfg config
	flag.Uint64Var(&cfg.seed, "seed", 42, "seed of every choice and content")
	flag.IntVar(&cfg.mib, "mib", 96, "MiB of cache entries the warm-up builds")
	flag.IntVar(&cfg.keep, "keep", 8, "about one entry in KEEP survives the expiry")
	flag.IntVar(&cfg.touch, "touch", 4, "one surviving entry in TOUCH is hot (each request reads it)")
	serve := flag.String("serve", "", "answer requests on this serial device (or any file)")
	gcReady := flag.Bool("gc-when-ready", false, "keep the periodic GC on after start-up")
	selftest := flag.Bool("selftest", false, "build, answer, damage an entry, check it is reported")
	flag.Parse()
	if cfg.mib < 1 || cfg.keep < 1 || cfg.touch < 1 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	c, st := build(cfg)
	if *selftest {
		os.Exit(selfTest(c))
	}
	clearAccessed()
	warm(c)
	if !*gcReady {
		debug.SetGCPercent(-1)
	}
	fmt.Printf("gosvc %s\n", st.json())
	start, length, err := heapRange()
	if err != nil {
		fatal(err)
	}
	fmt.Printf("range 0x%x:0x%x\n", start, length)

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM)
	reqs := make(chan struct{}, 16)
	var dev *os.File
	if *serve != "" {
		if dev, err = serveOpen(*serve); err != nil {
			fatal(err)
		}
		go readLines(dev, reqs)
	}
	fmt.Printf("ready %d\n", os.Getpid())

	// One goroutine owns the cache: requests and signals take turns.
	n := uint64(0)
	for {
		select {
		case _, ok := <-reqs:
			if !ok {
				fatal(fmt.Errorf("%s: closed", *serve))
			}
			n++
			if _, err := dev.WriteString(c.request(n).String() + "\n"); err != nil {
				fatal(err)
			}
		case s := <-sigs:
			switch s {
			case syscall.SIGUSR1:
				fmt.Printf("baseline %s\n", baseline())
			case syscall.SIGUSR2:
				fmt.Printf("heapframes %s\n", heapFrames(start, length))
			default:
				runtime.KeepAlive(c)
				os.Exit(0)
			}
		}
	}
}

// warm: the hot set is what the service touched last before the pause.
func warm(c *cache) {
	for i := 0; i < 4; i++ {
		c.request(uint64(1000000 + i))
	}
}

// clearAccessed: the working set starts here (kcollapse's "Working set");
// a kernel without clear_refs only makes every page hot, so it is a warning.
func clearAccessed() {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("2"), 0); err != nil {
		fmt.Fprintf(os.Stderr, "kc-gosvc: warning: %v: every page counts as hot\n", err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "kc-gosvc: %v\n", err)
	os.Exit(1)
}

// selfTest: a request answers clean, a damaged entry is reported, the
// repaired cache answers clean again.
func selfTest(c *cache) int {
	first := c.request(1)
	if first.Corrupt != nil {
		fmt.Printf("selftest FAIL: fresh cache reported corrupt: %s\n", first)
		return 1
	}
	e := c.hotEntry()
	e.data[len(e.data)/2] ^= 0x40
	got := c.request(2)
	if !onlyID(got.Corrupt, e.id) {
		fmt.Printf("selftest FAIL: entry %d damaged, answer %s\n", e.id, got)
		return 1
	}
	e.data[len(e.data)/2] ^= 0x40
	if again := c.request(3); again.Corrupt != nil {
		fmt.Printf("selftest FAIL: repaired cache answered %s\n", again)
		return 1
	}
	fmt.Printf("selftest ok: %s; damaged entry %d reported: %s\n", first, e.id, got)
	return 0
}

// onlyID: ids names id, and nothing else.
func onlyID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x != id {
			return false
		}
	}
	return len(ids) > 0
}
