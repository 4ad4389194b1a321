package main

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var small = config{seed: 42, mib: 4, keep: 8, touch: 4}

// The same seed builds the same cache and answers the same: the harness
// compares the first answer of every variant of a run.
func TestDeterministic(t *testing.T) {
	a, sa := build(small)
	b, _ := build(small)
	other := small
	other.seed = 7
	c, _ := build(other)
	x, y, z := a.request(1), b.request(1), c.request(1)
	if x.String() != y.String() {
		t.Fatalf("same seed, answers %s and %s", x, y)
	}
	if x.Sum == z.Sum {
		t.Fatalf("seeds 42 and 7 answered the same checksum %d", x.Sum)
	}
	if x.Corrupt != nil || x.Entries != sa.HotEntries+64 {
		t.Fatalf("answer %s: want %d entries (hot %d + 64), none corrupt",
			x, sa.HotEntries+64, sa.HotEntries)
	}
	// requests update what they read: the next answer differs
	if a.request(1).Sum == x.Sum {
		t.Fatal("a request left the entries it read unchanged")
	}
}

// The heap is fragmented by the service's own work: about one entry in
// --keep survives the expiry, and the churn replaced as many.
func TestBuildShape(t *testing.T) {
	c, st := build(small)
	if st.PeakCacheMiB < float64(small.mib) || st.WarmupRequests != st.PeakEntries {
		t.Fatalf("warm-up: %+v", st)
	}
	lo, hi := st.PeakEntries/small.keep/2, st.PeakEntries/small.keep*2
	if st.Entries < lo || st.Entries > hi || st.ChurnRequests != st.Entries {
		t.Fatalf("%d of %d entries survived, want %d..%d: %+v", st.Entries, st.PeakEntries, lo, hi, st)
	}
	if len(c.m) != len(c.ids) || st.HotEntries == 0 || st.HotEntries >= st.Entries {
		t.Fatalf("map %d, ids %d, hot %d", len(c.m), len(c.ids), st.HotEntries)
	}
	for i, id := range c.ids {
		if e := c.m[id]; e == nil || e.pos != i || checksum(e) != e.sum {
			t.Fatalf("entry %d at %d: %+v", id, i, e)
		}
	}
}

// A damaged entry is reported by the next request that reads it, and by
// nothing else; the self-test does the same in the binary.
func TestCorruptionReported(t *testing.T) {
	c, _ := build(small)
	e := c.hotEntry()
	e.data[len(e.data)-1] ^= 1
	got := c.request(1)
	if !onlyID(got.Corrupt, e.id) || !strings.Contains(got.String(), fmt.Sprintf("corrupt-%d %d", len(got.Corrupt), e.id)) {
		t.Fatalf("damaged entry %d, answer %s", e.id, got)
	}
	e.data[len(e.data)-1] ^= 1
	if got = c.request(2); got.Corrupt != nil {
		t.Fatalf("repaired, answer %s", got)
	}
	e.name = "damaged" + e.name[7:]
	if got = c.request(3); !onlyID(got.Corrupt, e.id) {
		t.Fatalf("damaged name, answer %s", got)
	}
}

// openPty: a pseudo-terminal pair, the service's stand-in for ttyS2.
func openPty(t *testing.T) (*os.File, string) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var unlock, n uint32
	if ioctl(m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))) != 0 ||
		ioctl(m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))) != 0 {
		t.Fatal("ptmx: unlock / number")
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// The binary, as the harness's guest runs it: static, ready with its heap
// range, answering on a terminal what the same build answers in process,
// the in-process baseline and its heap frames on signals, and exit 0 on
// SIGTERM; --selftest passes.
func TestServiceBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kc-gosvc")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("not static: has %v", p.Type)
		}
	}
	f.Close()

	t.Run("selftest", func(t *testing.T) {
		out, err := exec.Command(bin, "--selftest", "--mib", "4").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "selftest ok: ") {
			t.Fatalf("--selftest: %v: %s", err, out)
		}
	})

	t.Run("serve", func(t *testing.T) {
		m, slave := openPty(t)
		defer m.Close()
		cmd := exec.Command(bin, "--mib", "4", "--seed", "42", "--serve", slave)
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		lines := bufio.NewScanner(stdout)
		lines.Buffer(nil, 1<<20)
		next := func() string {
			if !lines.Scan() {
				t.Fatalf("stdout ended: %v", lines.Err())
			}
			return lines.Text()
		}
		if l := next(); !strings.HasPrefix(l, "gosvc {\"warmupRequests\":") {
			t.Fatalf("first line %q", l)
		}
		if l := next(); !regexp.MustCompile(`^range 0xc0[0-9a-f]{8}:0x[0-9a-f]+$`).MatchString(l) {
			t.Fatalf("range line %q", l)
		}
		if l := next(); l != fmt.Sprintf("ready %d", cmd.Process.Pid) {
			t.Fatalf("ready line %q", l)
		}
		// what it must answer: the same build, its four warm requests, then 1
		want, _ := buildFor(small)
		in := bufio.NewReader(m)
		for n := uint64(1); n <= 2; n++ {
			if _, err := m.WriteString("request\n"); err != nil {
				t.Fatal(err)
			}
			m.SetReadDeadline(time.Now().Add(30 * time.Second))
			got, err := in.ReadString('\n')
			if err != nil {
				t.Fatalf("answer %d: %v", n, err)
			}
			if exp := want.request(n).String() + "\n"; got != exp {
				t.Fatalf("answer %q, want %q", got, exp)
			}
		}
		cmd.Process.Signal(syscall.SIGUSR1)
		if l := next(); !strings.HasPrefix(l, `baseline {"regions":`) || strings.Contains(l, "error") {
			t.Fatalf("baseline line %q", l)
		}
		cmd.Process.Signal(syscall.SIGUSR2)
		l := next()
		if os.Geteuid() == 0 && !regexp.MustCompile(`^heapframes [1-9][0-9]* [0-9a-f]+(,[0-9a-f]+)*$`).MatchString(l) ||
			!strings.HasPrefix(l, "heapframes ") {
			t.Fatalf("heapframes line %q", l)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("SIGTERM: %v", err)
		}
	})
}

// buildFor: the cache as the binary has it at "ready".
func buildFor(cfg config) (*cache, stats) {
	c, st := build(cfg)
	warm(c)
	return c, st
}
