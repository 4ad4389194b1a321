package kcollapse

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEligibleVMAs(t *testing.T) {
	maps := `55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0                          [heap]
7f0000000000-7f0000400000 rw-p 00000000 00:00 0 
c000000000-c004000000 rw-p 00000000 00:00 0                              [anon: Go: heap]
7f1000000000-7f1000200000 r--p 00000000 00:00 0 
7f2000000000-7f2000200000 rw-s 00000000 00:05 1234                       /dev/zero (deleted)
7f3000000000-7f3000200000 rw-p 00001000 08:01 5678                       /usr/lib/libc.so.6
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`
	got, err := eligibleVMAs(strings.NewReader(maps))
	if err != nil {
		t.Fatal(err)
	}
	want := []vma{{0x55d0c8a00000, 0x55d0c8a21000}, {0x7f0000000000, 0x7f0000400000},
		{0xc000000000, 0xc004000000}}
	if len(got) != len(want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("vma %d: %x, want %x", i, got[i], want[i])
		}
	}
}

// On this process (the host kernel may not collapse: madvise is faked),
// every window reached is counted in exactly one outcome, and
// MADV_COLLAPSE is tried only on windows with present pages.
func TestInProcessAccounting(t *testing.T) {
	keep := make([]byte, 8<<20) // some present anonymous memory
	for i := range keep {
		keep[i] = 1
	}
	calls := map[int]int{}
	saved := madvise
	defer func() { madvise = saved }()
	madvise = func(addr, length uint64, advice int) error {
		calls[advice]++
		if advice == madvCollapse && calls[advice]%2 == 0 {
			return syscall.EAGAIN
		}
		return nil
	}
	res, err := InProcessCollapse(context.Background(), Options{MarkHugepage: true})
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Collapsed + res.AlreadyHuge + res.SkippedEmpty + res.SkippedSparse +
		res.SkippedOptedOut + res.FailedNomem + res.FailedBusy + res.FailedAgain +
		res.FailedIneligible + res.FailedOther
	if res.Chunks == 0 || sum != res.Chunks || res.Candidates != uint64(calls[madvCollapse]) {
		t.Errorf("result %+v; %d collapses tried", res, calls[madvCollapse])
	}
	if res.Regions == 0 || res.Marked == 0 || res.Engine != EngineInProcess || res.StopReason != StopDone {
		t.Errorf("result %+v", res)
	}
	if res.FailedAgain != uint64(calls[madvCollapse]/2) || res.PresentBytesBefore < 8<<20 {
		t.Errorf("failedAgain %d presentBytesBefore %d", res.FailedAgain, res.PresentBytesBefore)
	}
	_ = keep[len(keep)-1]
}

func TestInProcessStops(t *testing.T) {
	saved := madvise
	defer func() { madvise = saved }()
	madvise = func(uint64, uint64, int) error { time.Sleep(time.Millisecond); return nil }

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := InProcessCollapse(ctx, Options{})
	if !errors.Is(err, context.Canceled) || res.StopReason != StopCancelled {
		t.Errorf("cancelled: %v, %v", res.StopReason, err)
	}
	res, err = InProcessCollapse(context.Background(), Options{Deadline: time.Nanosecond})
	if err != nil || res.StopReason != StopDeadline {
		t.Errorf("deadline: %v, %v", res.StopReason, err)
	}
}

func TestInProcessRefusesPack(t *testing.T) {
	for _, m := range []Mode{ModePack, ModeAuto} {
		_, err := InProcessCollapse(context.Background(), Options{Mode: m})
		if !errors.Is(err, syscall.EOPNOTSUPP) {
			t.Errorf("%v: err %v, want EOPNOTSUPP", m, err)
		}
	}
}
