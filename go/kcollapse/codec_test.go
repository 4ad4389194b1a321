package kcollapse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
)

// resultJSON maps each KCOLLAPSE_R_* u64 attribute to its JSON name: the
// test gives every attribute a distinct value and finds it under its name.
var resultJSON = map[uint16]string{
	resRegions: "regions", resChunks: "chunks", resCandidates: "candidates",
	resCollapsed: "collapsed", resAlreadyHuge: "alreadyHuge",
	resSkippedEmpty: "skippedEmpty", resSkippedSparse: "skippedSparse",
	resFailedNomem: "failedNomem", resFailedBusy: "failedBusy",
	resFailedAgain: "failedAgain", resFailedIneligible: "failedIneligible",
	resFailedOther: "failedOther", resElapsedNs: "elapsedNs",
	resFramesBefore: "framesBefore", resFramesAfter: "framesAfter",
	resPresentBefore: "presentBytesBefore", resPresentAfter: "presentBytesAfter",
	resMarked: "marked", resPackMoved: "packMoved",
	resPackLeftPinned: "packLeftPinned", resPackLeftShared: "packLeftShared",
	resPackLeftThp: "packLeftThp", resPackLeftDense: "packLeftDense",
	resPackLeftBusy: "packLeftBusy", resPackDenseFrames: "packDenseFrames",
	resPackDestFrames: "packDestFrames", resPackBytesCopied: "packBytesCopied",
	resPackAllocFailed: "packAllocFailed", resSkippedOptedOut: "skippedOptedOut",
	resPackLeftLocked: "packLeftLocked",
	resHotPagesBefore: "hotPagesBefore", resHotFramesBefore: "hotFramesBefore",
	resHotPagesAfter: "hotPagesAfter", resHotFramesAfter: "hotFramesAfter",
}

// kernelReply encodes a COLLAPSE reply as the module does: the pid, then
// the result nest (u64s, three u32s, and a pad attribute to skip).
func kernelReply(pid uint32, u64 map[uint16]uint64, stop StopReason, mode Mode, after bool) []byte {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(attrPID, pid)
	ae.Nested(attrResult, func(nae *netlink.AttributeEncoder) error {
		nae.Bytes(resPad, nil)
		for t := uint16(resRegions); t <= resHotFramesAfter; t++ {
			if v, ok := u64[t]; ok {
				nae.Uint64(t, v)
			}
		}
		nae.Uint32(resStopReason, uint32(stop))
		nae.Uint32(resMode, uint32(mode))
		a := uint32(0)
		if after {
			a = 1
		}
		nae.Uint32(resAfterComplete, a)
		return nil
	})
	b, _ := ae.Encode()
	return b
}

func TestDecodeEveryResultField(t *testing.T) {
	u64 := map[uint16]uint64{}
	for a := range resultJSON {
		u64[a] = uint64(a)*1000 + 7
	}
	u64[resChunks] = 100000
	u64[resElapsedNs] = 428_000_000
	res, err := decodeCollapseReply(kernelReply(4242, u64, StopDeadline, ModeAuto, true))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for a, name := range resultJSON {
		if got := m[name]; got != float64(u64[a]) {
			t.Errorf("%s: got %v, want %d", name, got, u64[a])
		}
	}
	want := map[string]interface{}{
		"skipped":    float64(100000 - u64[resCollapsed] - u64[resAlreadyHuge]),
		"elapsedMs":  float64(428),
		"stopReason": "deadline", "mode": "auto", "afterComplete": true,
		"engine": "kmod", "pid": float64(4242), "hotMeasured": true,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s: got %v, want %v", k, m[k], v)
		}
	}
	if len(m) != len(resultJSON)+len(want) {
		t.Errorf("%d JSON fields, want %d: %s", len(m), len(resultJSON)+len(want), b)
	}
}

// PACK_LEFT_LOCKED, the last attribute added: decoded where the module
// sends it, 0 in JSON too where an older module does not.
func TestDecodePackLeftLocked(t *testing.T) {
	pack := map[uint16]uint64{resPackMoved: 900, resPackLeftBusy: 3, resPackLeftLocked: 512}
	res, err := decodeCollapseReply(kernelReply(7, pack, StopDone, ModePack, true))
	if err != nil {
		t.Fatal(err)
	}
	if res.PackLeftLocked != 512 || res.PackLeftBusy != 3 || res.PackMoved != 900 {
		t.Errorf("locked %d busy %d moved %d, want 512 3 900", res.PackLeftLocked, res.PackLeftBusy, res.PackMoved)
	}
	b, _ := json.Marshal(res)
	if !bytes.Contains(b, []byte(`"packLeftLocked":512`)) {
		t.Errorf("no packLeftLocked 512 in %s", b)
	}

	delete(pack, resPackLeftLocked)
	res, err = decodeCollapseReply(kernelReply(7, pack, StopDone, ModePack, true))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(res)
	if res.PackLeftLocked != 0 || !bytes.Contains(b, []byte(`"packLeftLocked":0`)) {
		t.Errorf("an older module's reply: locked %d, JSON %s", res.PackLeftLocked, b)
	}
}

// The working set (HOT_*, the last attributes added): decoded, and
// HotMeasured, where the module sends them; an older module's reply
// decodes to HotMeasured false and zeros, in JSON too.
func TestDecodeHot(t *testing.T) {
	pack := map[uint16]uint64{resPackMoved: 900, resHotPagesBefore: 1200,
		resHotFramesBefore: 300, resHotPagesAfter: 1201, resHotFramesAfter: 4}
	res, err := decodeCollapseReply(kernelReply(7, pack, StopDone, ModePack, true))
	if err != nil {
		t.Fatal(err)
	}
	if !res.HotMeasured || res.HotPagesBefore != 1200 || res.HotFramesBefore != 300 ||
		res.HotPagesAfter != 1201 || res.HotFramesAfter != 4 || res.PackMoved != 900 {
		t.Errorf("unexpected working set %+v", res)
	}
	b, _ := json.Marshal(res)
	for _, s := range []string{`"hotPagesBefore":1200`, `"hotFramesBefore":300`,
		`"hotPagesAfter":1201`, `"hotFramesAfter":4`, `"hotMeasured":true`} {
		if !bytes.Contains(b, []byte(s)) {
			t.Errorf("no %s in %s", s, b)
		}
	}

	for a := range pack {
		if a != resPackMoved {
			delete(pack, a)
		}
	}
	res, err = decodeCollapseReply(kernelReply(7, pack, StopDone, ModePack, true))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(res)
	if res.HotMeasured || res.HotPagesBefore != 0 || res.HotFramesAfter != 0 ||
		!bytes.Contains(b, []byte(`"hotMeasured":false`)) ||
		!bytes.Contains(b, []byte(`"hotPagesBefore":0`)) {
		t.Errorf("an older module's reply: %+v, JSON %s", res, b)
	}
}

// HotFirst: the flag is sent iff set; in ModeCollapse the request is
// refused with EINVAL before it reaches the module (or InProcessCollapse).
func TestHotFirst(t *testing.T) {
	for _, m := range []Mode{ModePack, ModeAuto} {
		for _, hot := range []bool{false, true} {
			b, err := encodeCollapse(5, Options{Mode: m, HotFirst: hot})
			if err != nil {
				t.Fatal(err)
			}
			ad, _ := netlink.NewAttributeDecoder(b)
			sent := false
			for ad.Next() {
				if ad.Type() == attrHotFirst {
					sent = len(ad.Bytes()) == 0
				}
			}
			if sent != hot {
				t.Errorf("%v HotFirst %v: flag sent %v", m, hot, sent)
			}
		}
	}

	k := &fakeKernel{t: t}
	k.fn = func(cmd uint8, b []byte) ([]byte, error) {
		t.Errorf("command %d reached the module", cmd)
		return nil, nil
	}
	c := k.client()
	defer c.Close()
	_, err := c.Collapse(context.Background(), 5, Options{HotFirst: true})
	var ke *Error
	if !errors.Is(err, syscall.EINVAL) || !errors.As(err, &ke) ||
		!strings.Contains(ke.Message, "HotFirst needs ModePack or ModeAuto") {
		t.Errorf("HotFirst in collapse mode: %v, want EINVAL naming HotFirst", err)
	}
	_, err = InProcessCollapse(context.Background(), Options{HotFirst: true})
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("InProcessCollapse HotFirst: %v, want EINVAL", err)
	}
}

// ClearAccessed on a child of ours (the host tests run as root): the
// write succeeds; once the child is gone, ESRCH (os.ErrNotExist).
func TestClearAccessed(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start a child:", err)
	}
	pid := cmd.Process.Pid
	if err := ClearAccessed(pid); err != nil {
		t.Errorf("ClearAccessed(%d): %v", pid, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	err := ClearAccessed(pid)
	if !errors.Is(err, syscall.ESRCH) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ClearAccessed of a reaped child: %v, want ESRCH", err)
	}
	if err := ClearAccessed(0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("ClearAccessed(0): %v, want EINVAL", err)
	}
}

func TestDecodeSkippedInconsistentIsZero(t *testing.T) {
	res, err := decodeCollapseReply(kernelReply(1, map[uint16]uint64{
		resChunks: 2, resCollapsed: 3}, StopDone, ModeCollapse, true))
	if err != nil || res.Skipped != 0 {
		t.Fatalf("skipped %d, err %v; want 0, nil", res.Skipped, err)
	}
}

func TestDecodeRejectsReplyWithoutResult(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(attrPID, 1)
	b, _ := ae.Encode()
	if _, err := decodeCollapseReply(b); err == nil {
		t.Fatal("a reply without a result nest decoded")
	}
}

func TestEncodeCollapse(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want func(ae *netlink.AttributeEncoder)
	}{
		{"defaults", Options{}, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(attrMode, 0)
		}},
		{"everything", Options{RangeStart: 0x200000, RangeLen: 0x400000,
			Deadline: 1500 * time.Microsecond, MinFill: 64, MarkHugepage: true,
			DryRun: true, Mode: ModeAuto, AutoThreshold: 300, Pidfd: 9},
			func(ae *netlink.AttributeEncoder) {
				ae.Uint64(attrRangeStart, 0x200000)
				ae.Uint64(attrRangeLen, 0x400000)
				ae.Uint32(attrDeadlineMs, 2) // rounded up, never 0
				ae.Uint32(attrMinFill, 64)
				ae.Flag(attrMarkHugepage, true)
				ae.Flag(attrDryRun, true)
				ae.Uint32(attrMode, 2)
				ae.Uint32(attrAutoThreshold, 300)
				ae.Uint32(attrPidfd, 9)
			}},
		{"threshold only in auto", Options{Mode: ModePack, AutoThreshold: 300},
			func(ae *netlink.AttributeEncoder) { ae.Uint32(attrMode, 1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := encodeCollapse(77, c.o)
			if err != nil {
				t.Fatal(err)
			}
			ae := netlink.NewAttributeEncoder()
			ae.Uint32(attrPID, 77)
			c.want(ae)
			want, _ := ae.Encode()
			if !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}

func TestCollapseRoundTrip(t *testing.T) {
	k := &fakeKernel{t: t}
	k.fn = func(cmd uint8, b []byte) ([]byte, error) {
		if cmd != cmdCollapse {
			t.Errorf("command %d, want COLLAPSE", cmd)
		}
		a := attrsOf(t, b)
		if got := nlUint32(a[attrMode]); got != uint32(ModePack) {
			t.Errorf("mode %d, want pack", got)
		}
		return kernelReply(nlUint32(a[attrPID]), map[uint16]uint64{
			resRegions: 3, resPackMoved: 900, resFramesBefore: 40,
			resFramesAfter: 3}, StopDone, ModePack, true), nil
	}
	c := k.client()
	defer c.Close()
	res, err := c.Collapse(context.Background(), 321, Options{Mode: ModePack})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pid != 321 || res.PackMoved != 900 || res.FramesAfter != 3 ||
		res.Mode != ModePack || !res.AfterComplete || res.Engine != EngineKmod {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestInfoAndCancelDecode(t *testing.T) {
	k := &fakeKernel{t: t}
	k.fn = func(cmd uint8, b []byte) ([]byte, error) {
		ae := netlink.NewAttributeEncoder()
		switch cmd {
		case cmdGetInfo:
			ae.String(attrModuleVersion, "0.9.0")
			ae.Uint32(attrProtoVersion, 1)
			ae.String(attrKernelRelease, "6.1.0-18-amd64")
			ae.String(attrEngine, "do_madvise")
			ae.Uint8(attrEngineAvailable, 1)
			ae.String(attrEngineStatus, "ok")
			ae.Uint32(attrOpsInFlight, 2)
			ae.Uint32(attrOpsMax, 8)
		case cmdCancel:
			ae.Uint32(attrPID, nlUint32(attrsOf(t, b)[attrPID]))
			ae.Uint32(attrCancelled, 1)
		}
		return ae.Encode()
	}
	c := k.client()
	defer c.Close()
	in, err := c.Info()
	want := Info{"0.9.0", 1, "6.1.0-18-amd64", "do_madvise", true, "ok", 2, 8}
	if err != nil || in != want {
		t.Errorf("info %+v, %v; want %+v", in, err, want)
	}
	n, err := c.Cancel(55)
	if err != nil || n != 1 {
		t.Errorf("cancel: %d, %v; want 1, nil", n, err)
	}
}

func nlUint32(b []byte) uint32 {
	if len(b) != 4 {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
