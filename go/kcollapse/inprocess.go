package kcollapse

import (
	"context"
	"encoding/binary"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	windowSize = 2 << 20
	pageSize   = 4096
	// MADV_COLLAPSE (Linux 6.1); Debian's golang.org/x/sys predates it.
	madvCollapse = 25
	// /proc/PID/pagemap: bit 63 says the page is present.
	pagemapPresent = 1 << 63
)

// madvise is a seam for the tests: the host's kernel may not collapse.
var madvise = func(addr, length uint64, advice int) error {
	_, _, e := unix.Syscall(unix.SYS_MADVISE, uintptr(addr), uintptr(length), uintptr(advice))
	if e != 0 {
		return e
	}
	return nil
}

// InProcessCollapse is the method the module replaces, as envd's own
// POST /collapse does it, on the calling process only: for every private
// anonymous read-write mapping in /proc/self/maps, MADV_HUGEPAGE when
// opts.MarkHugepage (envd's method always marks), then MADV_COLLAPSE per
// whole 2 MiB window. Better than the original in what the module's
// rules allow from inside: windows with no present page (or fewer than
// opts.MinFill), read from /proc/self/pagemap, are counted as empty
// (sparse) and not tried; failures are counted by errno; a deadline or a
// cancelled ctx returns the partial Result (as Client.Collapse does).
// It cannot see an already-huge window (MADV_COLLAPSE succeeds on it: it
// is counted as collapsed) nor physical frames (frames stay 0), and it
// only collapses: other modes fail with EOPNOTSUPP (HotFirst, which
// needs one of them, with EINVAL, as Client.Collapse refuses it).
func InProcessCollapse(ctx context.Context, opts Options) (Result, error) {
	res := Result{Engine: EngineInProcess, Pid: os.Getpid(), Mode: opts.Mode}
	if err := opts.check(res.Pid); err != nil {
		return res, err
	}
	if opts.Mode != ModeCollapse {
		return res, &Error{Op: "collapse", Pid: res.Pid, Err: syscall.EOPNOTSUPP,
			Message: "only the module can " + opts.Mode.String() + ": it moves pages"}
	}
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		return res, err
	}
	vmas, err := eligibleVMAs(maps)
	maps.Close()
	if err != nil {
		return res, err
	}
	w := newInProcessWalk(ctx, opts)
	defer w.close()
	begin := time.Now()
	res.StopReason = w.run(vmas, &res)
	res.ElapsedNs = uint64(time.Since(begin))
	res.finish()
	if res.StopReason == StopCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// inProcessWalk is one in-process operation's state.
type inProcessWalk struct {
	ctx        context.Context
	opts       Options
	stopAt     time.Time // zero: no deadline
	pagemap    *os.File  // nil: every window is a candidate
	start, end uint64
}

func newInProcessWalk(ctx context.Context, o Options) *inProcessWalk {
	w := &inProcessWalk{ctx: ctx, opts: o, start: o.RangeStart, end: ^uint64(0)}
	if o.RangeLen != 0 && o.RangeStart+o.RangeLen > o.RangeStart {
		w.end = o.RangeStart + o.RangeLen
	}
	if o.Deadline > 0 {
		w.stopAt = time.Now().Add(o.Deadline)
	}
	// As Client.Collapse: a context deadline is the operation's own.
	if dl, ok := ctx.Deadline(); ok && (w.stopAt.IsZero() || dl.Before(w.stopAt)) {
		w.stopAt = dl
	}
	if f, err := os.Open("/proc/self/pagemap"); err == nil {
		w.pagemap = f
	}
	return w
}

func (w *inProcessWalk) close() {
	if w.pagemap != nil {
		w.pagemap.Close()
	}
}

// stop is why the walk must stop now, or StopDone to go on.
func (w *inProcessWalk) stop() StopReason {
	if !w.stopAt.IsZero() && !time.Now().Before(w.stopAt) {
		return StopDeadline
	}
	if w.ctx.Err() != nil {
		return StopCancelled
	}
	return StopDone
}

func (w *inProcessWalk) run(vmas []vma, res *Result) StopReason {
	for _, v := range vmas {
		v, ok := v.clip(w.start, w.end)
		if !ok {
			continue
		}
		res.Regions++
		if w.opts.MarkHugepage && !w.opts.DryRun &&
			madvise(v.start, v.end-v.start, unix.MADV_HUGEPAGE) == nil {
			res.Marked++
		}
		first := (v.start + windowSize - 1) &^ (windowSize - 1)
		for a := first; a+windowSize <= v.end && a+windowSize > a; a += windowSize {
			if why := w.stop(); why != StopDone {
				return why
			}
			w.window(a, res)
		}
	}
	return StopDone
}

// window classifies and collapses the 2 MiB window at a.
func (w *inProcessWalk) window(a uint64, res *Result) {
	res.Chunks++
	present := w.present(a)
	res.PresentBytesBefore += uint64(present) * pageSize
	minFill := int(w.opts.MinFill)
	if minFill == 0 {
		minFill = 1
	}
	switch {
	case present == 0:
		res.SkippedEmpty++
		return
	case present < minFill:
		res.SkippedSparse++
		return
	}
	res.Candidates++
	if w.opts.DryRun {
		return
	}
	switch err := madvise(a, windowSize, madvCollapse); err {
	case nil:
		res.Collapsed++
	case syscall.ENOMEM:
		res.FailedNomem++
	case syscall.EBUSY:
		res.FailedBusy++
	case syscall.EAGAIN:
		res.FailedAgain++
	case syscall.EINVAL:
		res.FailedIneligible++
	default:
		res.FailedOther++
	}
}

// present counts the window's present pages from pagemap; without it
// every window is taken as full, as the original method assumes.
func (w *inProcessWalk) present(a uint64) int {
	if w.pagemap == nil {
		return WindowPages
	}
	var buf [WindowPages * 8]byte
	if _, err := w.pagemap.ReadAt(buf[:], int64(a/pageSize*8)); err != nil {
		return WindowPages
	}
	n := 0
	for i := 0; i < WindowPages; i++ {
		if binary.LittleEndian.Uint64(buf[i*8:])&pagemapPresent != 0 {
			n++
		}
	}
	return n
}
