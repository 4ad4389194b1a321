package kcollapse

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
)

// blockingKernel runs a COLLAPSE until a CANCEL for its pid arrives;
// the first `early` CANCELs find nothing running yet (the request not
// yet registered), as can happen right after the send.
type blockingKernel struct {
	early     int32
	cancels   int32
	cancelled chan struct{}
	deadline  uint32 // DEADLINE_MS the COLLAPSE carried
}

func (b *blockingKernel) fn(t *testing.T) fakeFunc {
	return func(cmd uint8, attrs []byte) ([]byte, error) {
		a := attrsOf(t, attrs)
		pid := nlUint32(a[attrPID])
		switch cmd {
		case cmdCollapse:
			atomic.StoreUint32(&b.deadline, nlUint32(a[attrDeadlineMs]))
			select {
			case <-b.cancelled:
				return kernelReply(pid, map[uint16]uint64{resChunks: 17,
					resCollapsed: 5}, StopCancelled, ModeCollapse, false), nil
			case <-time.After(10 * time.Second):
				t.Error("COLLAPSE never cancelled")
				return kernelReply(pid, nil, StopDone, ModeCollapse, true), nil
			}
		case cmdCancel:
			n := uint32(0)
			if atomic.AddInt32(&b.cancels, 1) > b.early {
				n = 1
				close(b.cancelled)
			}
			ae := netlink.NewAttributeEncoder()
			ae.Uint32(attrPID, pid)
			ae.Uint32(attrCancelled, n)
			return ae.Encode()
		}
		t.Errorf("unexpected command %d", cmd)
		return nil, nil
	}
}

func TestContextCancelSendsCancelAndReturnsPartial(t *testing.T) {
	for _, early := range []int32{0, 3} {
		b := &blockingKernel{early: early, cancelled: make(chan struct{})}
		k := &fakeKernel{t: t, fn: b.fn(t)}
		c := k.client()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		res, err := c.Collapse(ctx, 4321, Options{})
		c.Close()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("early %d: err %v, want context.Canceled", early, err)
		}
		if res.StopReason != StopCancelled || res.Chunks != 17 || res.Collapsed != 5 ||
			res.Skipped != 12 || res.Pid != 4321 {
			t.Errorf("early %d: partial result %+v", early, res)
		}
		if got := atomic.LoadInt32(&b.cancels); got != early+1 {
			t.Errorf("early %d: %d CANCELs sent, want %d", early, got, early+1)
		}
		if b.deadline != 0 {
			t.Errorf("early %d: deadline %d ms sent, want none", early, b.deadline)
		}
	}
}

func TestContextDeadlineSentAsDeadlineMs(t *testing.T) {
	cases := []struct {
		ctx, opt time.Duration
		min, max uint32
	}{
		{5 * time.Second, 0, 4000, 5000},
		{5 * time.Second, 2 * time.Second, 2000, 2000},
		{1 * time.Second, 3 * time.Second, 500, 1000},
	}
	for _, c := range cases {
		var got uint32
		k := &fakeKernel{t: t, fn: func(cmd uint8, attrs []byte) ([]byte, error) {
			got = nlUint32(attrsOf(t, attrs)[attrDeadlineMs])
			return kernelReply(1, nil, StopDone, ModeCollapse, true), nil
		}}
		cl := k.client()
		ctx, cancel := context.WithTimeout(context.Background(), c.ctx)
		_, err := cl.Collapse(ctx, 1, Options{Deadline: c.opt})
		cancel()
		cl.Close()
		if err != nil || got < c.min || got > c.max {
			t.Errorf("ctx %v opt %v: DEADLINE_MS %d (err %v), want %d..%d",
				c.ctx, c.opt, got, err, c.min, c.max)
		}
	}
}

func TestDoneContextSendsNothing(t *testing.T) {
	k := &fakeKernel{t: t, fn: func(uint8, []byte) ([]byte, error) {
		t.Error("a request was sent for a done context")
		return nil, nil
	}}
	cl := k.client()
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cl.Collapse(ctx, 1, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}
