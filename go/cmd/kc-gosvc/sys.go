package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const (
	pageSize  = 4096
	window    = 2 << 20
	arenaHint = 0xc000000000 // Go's first heap arena hint on linux/amd64
	arenaSpan = 1 << 32      // arenas looked for above it
	// not in package syscall
	madvCollapse = 25
	tcflsh       = 0x540b
	tciflush     = 0
)

// mapping is one line of /proc/self/maps.
type mapping struct {
	start, end uintptr
	perms      string
	inode      uint64
	name       string
}

func readMaps() ([]mapping, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 {
			continue
		}
		se := strings.SplitN(fs[0], "-", 2)
		s, err1 := strconv.ParseUint(se[0], 16, 64)
		e, err2 := strconv.ParseUint(se[len(se)-1], 16, 64)
		ino, err3 := strconv.ParseUint(fs[4], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("/proc/self/maps: bad line %q", sc.Text())
		}
		m := mapping{start: uintptr(s), end: uintptr(e), perms: fs[1], inode: ino}
		if len(fs) > 5 {
			m.name = fs[5]
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// anonRW: an anonymous private rw mapping (no name, or [heap]).
func (m mapping) anonRW() bool {
	return m.inode == 0 && strings.HasPrefix(m.perms, "rw") && m.perms[3] == 'p' &&
		(m.name == "" || m.name == "[heap]")
}

// heapRange: from the first to the end of the last rw mapping at Go's
// arena hint, where the runtime maps its heap arenas (64 MiB each).
func heapRange() (start, length uintptr, err error) {
	maps, err := readMaps()
	if err != nil {
		return 0, 0, err
	}
	var end uintptr
	for _, m := range maps {
		if m.start < arenaHint || m.start >= arenaHint+arenaSpan || !m.anonRW() {
			continue
		}
		if start == 0 {
			start = m.start
		}
		end = m.end
	}
	if start == 0 {
		return 0, 0, errors.New("no heap arena mapped at 0xc000000000")
	}
	return start, end - start, nil
}

// forEachResident calls fn on every resident page of [start, start+length)
// (mincore: nothing is touched), mapping by mapping.
func forEachResident(start, length uintptr, fn func(page uintptr) error) error {
	maps, err := readMaps()
	if err != nil {
		return err
	}
	vec := make([]byte, window/pageSize)
	for _, m := range maps {
		s, e := m.start, m.end
		if s < start {
			s = start
		}
		if e > start+length {
			e = start + length
		}
		for ; s < e; s += window {
			n := e - s
			if n > window {
				n = window
			}
			if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, s, n,
				uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
				return fmt.Errorf("mincore 0x%x: %w", s, errno)
			}
			for i := uintptr(0); i < n/pageSize; i++ {
				if vec[i]&1 != 0 {
					if err := fn(s + i*pageSize); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

var errNoPFN = errors.New("PFNs hidden")

// heapFrames: "N F,F,..." (hex), the distinct 2 MiB physical frames of the
// resident pages of the range (pagemap; PFNs need CAP_SYS_ADMIN), or
// "unknown".
func heapFrames(start, length uintptr) string {
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return "unknown"
	}
	defer pm.Close()
	seen := map[uint64]bool{}
	var ent [8]byte
	err = forEachResident(start, length, func(page uintptr) error {
		if _, err := pm.ReadAt(ent[:], int64(page/pageSize*8)); err != nil {
			return err
		}
		v := binary.LittleEndian.Uint64(ent[:])
		if v>>63 == 0 {
			return nil
		}
		pfn := v & (1<<55 - 1)
		if pfn == 0 {
			return errNoPFN
		}
		seen[pfn>>9] = true
		return nil
	})
	if err != nil {
		return "unknown"
	}
	fr := make([]uint64, 0, len(seen))
	for f := range seen {
		fr = append(fr, f)
	}
	sort.Slice(fr, func(i, j int) bool { return fr[i] < fr[j] })
	hex := make([]string, len(fr))
	for i, f := range fr {
		hex[i] = strconv.FormatUint(f, 16)
	}
	return fmt.Sprintf("%d %s", len(fr), strings.Join(hex, ","))
}

// baselineResult: the same fields as kc-benchheap's "baseline" line.
type baselineResult struct {
	Regions     uint64 `json:"regions"`
	Chunks      uint64 `json:"chunks"`
	Collapsed   uint64 `json:"collapsed"`
	Skipped     uint64 `json:"skipped"`
	ElapsedNs   int64  `json:"elapsedNs"`
	CollapsedNs int64  `json:"collapsedNs"`
	SkippedNs   int64  `json:"skippedNs"`
	ErrEinval   uint64 `json:"errEinval"`
	ErrEnomem   uint64 `json:"errEnomem"`
	ErrEagain   uint64 `json:"errEagain"`
	ErrOther    uint64 `json:"errOther"`
}

func madvise(addr, length uintptr, advice int) syscall.Errno {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, length, uintptr(advice))
	return errno
}

// baseline: the published in-process method, as kc-benchheap runs it:
// every anonymous rw mapping of /proc/self/maps (read first: madvise
// splits and merges them), MADV_HUGEPAGE, then MADV_COLLAPSE on each 2 MiB
// window; success counts as collapsed, any failure as skipped.
func baseline() string {
	var r baselineResult
	t0 := time.Now()
	maps, err := readMaps()
	if err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	for _, m := range maps {
		if !m.anonRW() {
			continue
		}
		r.Regions++
		madvise(m.start, m.end-m.start, syscall.MADV_HUGEPAGE)
		for s := (m.start + window - 1) &^ (window - 1); s+window <= m.end; s += window {
			a := time.Now()
			errno := madvise(s, window, madvCollapse)
			d := time.Since(a).Nanoseconds()
			r.Chunks++
			if errno == 0 {
				r.Collapsed++
				r.CollapsedNs += d
				continue
			}
			r.Skipped++
			r.SkippedNs += d
			switch errno {
			case syscall.EINVAL:
				r.ErrEinval++
			case syscall.ENOMEM:
				r.ErrEnomem++
			case syscall.EAGAIN:
				r.ErrEagain++
			default:
				r.ErrOther++
			}
		}
	}
	r.ElapsedNs = time.Since(t0).Nanoseconds()
	b, _ := json.Marshal(r)
	return string(b)
}

// serveOpen: DEV raw (no echo, no line discipline) when it is a terminal,
// its unread input dropped.
func serveOpen(dev string) (*os.File, error) {
	f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	fd := f.Fd()
	var t syscall.Termios
	if ioctl(fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t))) == 0 {
		t.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP |
			syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
		t.Oflag &^= syscall.OPOST
		t.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
		t.Cflag &^= syscall.CSIZE | syscall.PARENB
		t.Cflag |= syscall.CS8
		t.Cc[syscall.VMIN], t.Cc[syscall.VTIME] = 1, 0
		ioctl(fd, syscall.TCSETS, uintptr(unsafe.Pointer(&t)))
		ioctl(fd, tcflsh, tciflush)
	}
	return f, nil
}

func ioctl(fd, req, arg uintptr) syscall.Errno {
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg)
	return errno
}

// readLines: one request per newline read; closed at the end of input.
func readLines(f *os.File, reqs chan<- struct{}) {
	r := bufio.NewReader(f)
	for {
		b, err := r.ReadByte()
		if err != nil {
			close(reqs)
			return
		}
		if b == '\n' {
			reqs <- struct{}{}
		}
	}
}
