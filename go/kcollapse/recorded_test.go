package kcollapse

// Encoding and decoding against exchanges recorded from the real module
// (testdata/README: which kernel, module and command). Each recorded
// request and reply is a generic-netlink payload (genetlink header +
// attributes); a refusal also has the kernel's whole netlink error message
// (.nlerr). The tests
//
//   - encode the sidecar's pid and options with this package's encoder and
//     want the recorded request byte for byte (the recording's pid is the
//     one asked, so no attribute needs normalising; what the socket adds,
//     the netlink header's length, sequence and port id, is not recorded);
//   - replay each exchange through a Client over a fake socket that
//     answers the recorded reply, or the recorded error message with its
//     sequence and port id rewritten to the replayed request's (the only
//     normalisation), so that the Client's real encoding, the netlink
//     library's parsing and this package's decoding all run on the
//     module's bytes;
//   - check the decoded values: against what kc-goclient printed in the
//     guest (LABEL.out.json, decoded there by the same code) and against
//     what must hold whatever the run (the accounting, valid enums, the
//     extended-ACK text).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// recording is one recorded exchange: its sidecar and files.
type recording struct {
	Name          string   `json:"-"`
	Label         string   `json:"label"`
	Argv          []string `json:"argv"`
	KernelRelease string   `json:"kernelRelease"`
	Family        uint16   `json:"family"`
	Command       string   `json:"command"`
	Pid           int      `json:"pid"`
	Options       *Options `json:"options"`
	Request       string   `json:"request"`
	Reply         string   `json:"reply"`
	Error         *struct {
		Errno   int    `json:"errno"`
		Message string `json:"message"`
		Text    string `json:"text"`
		NlErr   string `json:"nlerr"`
	} `json:"error"`

	req, reply, nlerr []byte
}

// newerThanRecordings are the result attributes added to the protocol
// after testdata was recorded; re-recording (testdata/README) with a
// module that sends them empties this list.
var newerThanRecordings = []uint16{resPackLeftLocked, resHotPagesBefore,
	resHotFramesBefore, resHotPagesAfter, resHotFramesAfter}

var recordedCmds = map[string]uint8{"collapse": cmdCollapse, "cancel": cmdCancel, "get-info": cmdGetInfo}

func loadRecordings(t *testing.T) []*recording {
	t.Helper()
	names, _ := filepath.Glob("testdata/*.json")
	var rs []*recording
	for _, n := range names {
		if strings.HasSuffix(n, ".out.json") {
			continue
		}
		r := &recording{Name: filepath.Base(n)}
		readJSON(t, n, r)
		r.req = readTestdata(t, r.Request)
		if r.Reply != "" {
			r.reply = readTestdata(t, r.Reply)
		}
		if r.Error != nil && r.Error.NlErr != "" {
			r.nlerr = readTestdata(t, r.Error.NlErr)
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		t.Fatal("no recordings in testdata/")
	}
	return rs
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t *testing.T, path string, v interface{}) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// genlSplit checks a recorded payload's genetlink header and returns its
// attributes.
func genlSplit(t *testing.T, what string, b []byte, cmd uint8) []byte {
	t.Helper()
	var m genetlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if m.Header.Command != cmd || m.Header.Version != familyVersion || b[2] != 0 || b[3] != 0 {
		t.Errorf("%s: genetlink header % x, want command %d version %d", what, b[:4], cmd, familyVersion)
	}
	return m.Data
}

// TestRecordedRequests: the encoder's bytes are the recorded requests'.
func TestRecordedRequests(t *testing.T) {
	for _, r := range loadRecordings(t) {
		t.Run(r.Name, func(t *testing.T) {
			cmd, ok := recordedCmds[r.Command]
			if !ok {
				t.Fatalf("unknown command %q", r.Command)
			}
			got := genlSplit(t, "request", r.req, cmd)
			var want []byte
			var err error
			switch cmd {
			case cmdCollapse:
				if r.Options == nil {
					t.Fatal("no options in the sidecar")
				}
				want, err = encodeCollapse(r.Pid, *r.Options)
			case cmdCancel:
				want, err = encodePid(r.Pid)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("recorded % x\nencoded  % x", got, want)
			}
		})
	}
}

// replayClient is a Client whose socket answers r's recorded reply (or
// error message) to a request equal to r's recorded one.
func replayClient(t *testing.T, r *recording) *Client {
	t.Helper()
	serve := func(reqs []netlink.Message) ([]netlink.Message, error) {
		req := reqs[0]
		if req.Header.Type == unix.GENL_ID_CTRL {
			return fakeReply(req, unix.CTRL_CMD_NEWFAMILY, familyAttrs())
		}
		if !bytes.Equal(req.Data, r.req) {
			t.Errorf("replayed request % x\nrecorded         % x", req.Data, r.req)
		}
		if r.nlerr != nil {
			var m netlink.Message
			if err := m.UnmarshalBinary(r.nlerr); err != nil {
				t.Fatalf("nlerr: %v", err)
			}
			if m.Header.Type != netlink.Error {
				t.Fatalf("nlerr: message type %d, want NLMSG_ERROR", m.Header.Type)
			}
			// The normalisation: the replayed request's sequence and port.
			m.Header.Sequence, m.Header.PID = req.Header.Sequence, req.Header.PID
			return []netlink.Message{m}, nil
		}
		return []netlink.Message{{
			Header: netlink.Header{Type: req.Header.Type, Sequence: req.Header.Sequence, PID: req.Header.PID},
			Data:   r.reply,
		}}, nil
	}
	c, err := dial(func() (*genetlink.Conn, error) { return genetlink.NewConn(nltest.Dial(serve)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// guestOutput is LABEL.out.json: what kc-goclient printed in the guest.
func guestOutput(t *testing.T, label string) map[string]json.RawMessage {
	t.Helper()
	m := map[string]json.RawMessage{}
	readJSON(t, filepath.Join("testdata", label+".out.json"), &m)
	return m
}

// TestRecordedReplies decodes every recorded reply.
func TestRecordedReplies(t *testing.T) {
	seen := map[string]int{}
	for _, r := range loadRecordings(t) {
		kind := r.Command
		if r.Error != nil {
			kind = "error"
		}
		seen[kind]++
		t.Run(r.Name, func(t *testing.T) {
			if r.Error != nil {
				checkRecordedError(t, r)
				return
			}
			genlSplit(t, "reply", r.reply, recordedCmds[r.Command])
			switch r.Command {
			case "get-info":
				checkRecordedInfo(t, r)
			case "collapse":
				checkRecordedCollapse(t, r)
			case "cancel":
				checkRecordedCancel(t, r)
			}
		})
	}
	for _, k := range []string{"get-info", "collapse", "cancel", "error"} {
		if seen[k] == 0 {
			t.Errorf("no recorded %s reply", k)
		}
	}
}

func checkRecordedInfo(t *testing.T, r *recording) {
	c := replayClient(t, r)
	defer c.Close()
	in, err := c.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.ModuleVersion == "" || in.Engine == "" || in.EngineStatus == "" {
		t.Errorf("empty fields: %+v", in)
	}
	if in.ProtoVersion != 1 {
		t.Errorf("protocol version %d, want 1", in.ProtoVersion)
	}
	if in.KernelRelease != r.KernelRelease {
		t.Errorf("kernel release %q, the guest's uname %q", in.KernelRelease, r.KernelRelease)
	}
	if in.OpsMax == 0 || in.OpsInFlight > in.OpsMax {
		t.Errorf("ops %d of %d", in.OpsInFlight, in.OpsMax)
	}
	if r.Label == "info" {
		var want Info
		b, _ := json.Marshal(guestOutput(t, r.Label))
		json.Unmarshal(b, &want)
		if in != want {
			t.Errorf("decoded %+v\nguest   %+v", in, want)
		}
	}
}

func checkRecordedCollapse(t *testing.T, r *recording) {
	attrs := genlSplit(t, "reply", r.reply, cmdCollapse)
	res, err := decodeCollapseReply(attrs)
	if err != nil {
		t.Fatal(err)
	}
	// The same through a Client, from the options the sidecar records.
	c := replayClient(t, r)
	defer c.Close()
	viaClient, err := c.Collapse(context.Background(), r.Pid, *r.Options)
	if err != nil {
		t.Fatal(err)
	}
	if viaClient != res {
		t.Errorf("through a Client %+v\ndirect %+v", viaClient, res)
	}

	// Every result attribute this package knows is in the module's reply,
	// but those newer than the module the recordings were made with
	// (testdata/README): they decode to 0 from its replies.
	want := map[uint16]bool{resStopReason: true, resMode: true, resAfterComplete: true}
	for a := range res.u64Fields() {
		want[a] = true
	}
	for _, a := range newerThanRecordings {
		delete(want, a)
	}
	ad, _ := netlink.NewAttributeDecoder(attrs)
	for ad.Next() {
		if ad.Type() == attrResult {
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					delete(want, nad.Type())
				}
				return nil
			})
		}
	}
	if len(want) != 0 {
		t.Errorf("result attributes missing from the reply: %v", want)
	}

	if res.Pid != r.Pid || res.Mode != r.Options.Mode || res.Engine != EngineKmod {
		t.Errorf("pid %d mode %v engine %s; asked pid %d mode %v", res.Pid, res.Mode, res.Engine, r.Pid, r.Options.Mode)
	}
	if strings.HasPrefix(res.StopReason.String(), "stop(") {
		t.Errorf("unknown stop reason %v", res.StopReason)
	}
	wantStop := StopDone
	if r.Label == "cancel-ctx" {
		wantStop = StopCancelled
	}
	if res.StopReason != wantStop {
		t.Errorf("stop reason %v, want %v", res.StopReason, wantStop)
	}
	if res.AfterComplete != (res.StopReason == StopDone) {
		t.Errorf("afterComplete %v with stop reason %v", res.AfterComplete, res.StopReason)
	}
	if res.ElapsedNs == 0 || res.Regions == 0 {
		t.Errorf("elapsedNs %d regions %d: want both > 0", res.ElapsedNs, res.Regions)
	}
	// Pack counts no windows; a cancelled one may stop before the first.
	if res.Mode == ModeCollapse && res.StopReason == StopDone && res.Chunks == 0 {
		t.Error("a finished collapse reached no window")
	}
	// t/61's check_accounting: each window reached has one outcome; a
	// dry run's candidates are counted but not tried.
	failed := res.FailedNomem + res.FailedBusy + res.FailedAgain + res.FailedIneligible + res.FailedOther
	outcomes := res.Collapsed + res.AlreadyHuge + res.SkippedEmpty + res.SkippedSparse + res.SkippedOptedOut + failed
	untried := res.Candidates - res.Collapsed - failed
	if res.Mode == ModeCollapse && res.Chunks != outcomes+untried {
		t.Errorf("chunks %d != outcomes %d + untried candidates %d", res.Chunks, outcomes, untried)
	}
	if res.Skipped != res.Chunks-res.Collapsed-res.AlreadyHuge {
		t.Errorf("skipped %d, chunks %d collapsed %d alreadyHuge %d", res.Skipped, res.Chunks, res.Collapsed, res.AlreadyHuge)
	}
	if r.Options.DryRun && (res.Collapsed != 0 || res.PackMoved != 0) {
		t.Errorf("dry run collapsed %d, moved %d", res.Collapsed, res.PackMoved)
	}
	if res.Mode == ModePack && res.StopReason == StopDone && (res.PackMoved == 0 || res.FramesAfter > res.FramesBefore) {
		t.Errorf("pack moved %d, frames %d -> %d", res.PackMoved, res.FramesBefore, res.FramesAfter)
	}

	// What kc-goclient decoded in the guest.
	var out struct{ Result *Result }
	b, _ := json.Marshal(guestOutput(t, r.Label))
	if err := json.Unmarshal(b, &out); err != nil || out.Result == nil {
		t.Fatalf("%s.out.json: no result (%v)", r.Label, err)
	}
	if !reflect.DeepEqual(*out.Result, res) {
		t.Errorf("decoded %+v\nguest   %+v", res, *out.Result)
	}
}

func checkRecordedCancel(t *testing.T, r *recording) {
	c := replayClient(t, r)
	defer c.Close()
	n, err := c.Cancel(r.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 && n != 1 {
		t.Errorf("cancelled %d, want 0 or 1", n)
	}
	ad, _ := netlink.NewAttributeDecoder(genlSplit(t, "reply", r.reply, cmdCancel))
	for ad.Next() {
		if ad.Type() == attrPID && int(ad.Uint32()) != r.Pid {
			t.Errorf("reply pid %d, asked %d", ad.Uint32(), r.Pid)
		}
	}
}

func checkRecordedError(t *testing.T, r *recording) {
	if r.Error.Message == "" {
		t.Error("no extended-ACK message recorded")
	}
	if r.nlerr == nil {
		t.Fatal("no recorded error message (.nlerr)")
	}
	if r.Command != "collapse" {
		t.Fatalf("an error recorded for %s: only COLLAPSE's is tested", r.Command)
	}
	c := replayClient(t, r)
	defer c.Close()
	_, err := c.Collapse(context.Background(), r.Pid, *r.Options)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *Error", err, err)
	}
	if e.Err != syscall.Errno(r.Error.Errno) || e.Message != r.Error.Message {
		t.Errorf("errno %v message %q; recorded errno %d message %q", e.Err, e.Message, r.Error.Errno, r.Error.Message)
	}
	if e.Err == syscall.ESRCH && !errors.Is(err, os.ErrNotExist) {
		t.Error("ESRCH does not match os.ErrNotExist")
	}
	// What kc-goclient reported in the guest.
	var out struct {
		Err struct {
			Error string
			Errno int
		}
	}
	b, _ := json.Marshal(guestOutput(t, r.Label))
	json.Unmarshal(b, &out)
	if out.Err.Error != err.Error() || out.Err.Errno != r.Error.Errno {
		t.Errorf("error %q, guest %q (errno %d)", err, out.Err.Error, out.Err.Errno)
	}
}
