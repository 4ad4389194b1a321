package main

// Recording real exchanges with the module for the host tests
// (go/kcollapse/testdata, recorded_test.go). With KC_RECORD=DIR every
// request a command's Client sends and its reply are written to DIR as
// raw generic-netlink payloads (genetlink header + attributes):
//
//	LABEL.N.CMD.req     the request
//	LABEL.N.CMD.reply   the reply, if one came
//	LABEL.N.CMD.nlerr   for a refusal: the kernel's whole netlink error
//	                    message (nlmsghdr, errno, the request echoed, the
//	                    extended-ACK attributes), from sending the same
//	                    request again on a raw socket: the library keeps
//	                    only its errno and message
//	LABEL.N.CMD.json    what was asked (pid, options) and what came back
//	LABEL.out.json      the command's own output (its decoded result)
//
// LABEL is KC_RECORD_AS (default: the command's name). "kc-goclient dump
// DIR" prints DIR as a base64 tar.gz between marker lines, to carry it out
// of a guest in the test output.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"kcollapse.dev/go/kcollapse"
)

// Marker lines around "dump"'s output.
const (
	dumpBegin = "--- kc-goclient record begin"
	dumpEnd   = "--- kc-goclient record end"
)

var cmdNames = map[uint8]string{1: "collapse", 2: "cancel", 3: "get-info"}

// asked is what the running command asked for: parse sets it.
var asked struct {
	pid  int
	opts *kcollapse.Options
}

type recorder struct {
	dir, label string
	mu         sync.Mutex
	n          int
	infos      int
}

// rec is nil unless KC_RECORD names a directory.
var rec = newRecorder()

func newRecorder() *recorder {
	dir := os.Getenv("KC_RECORD")
	if dir == "" {
		return nil
	}
	label := os.Getenv("KC_RECORD_AS")
	if label == "" && len(os.Args) > 1 {
		label = os.Args[1]
	}
	return &recorder{dir: dir, label: label}
}

// dial is kcollapse.Dial, recording its exchanges under KC_RECORD.
func dial() (*kcollapse.Client, error) {
	c, err := kcollapse.Dial()
	if err == nil && rec != nil {
		c.SetTrace(rec.exchange)
	}
	return c, err
}

// sidecar is LABEL.N.CMD.json.
type sidecar struct {
	Label         string             `json:"label"`
	Argv          []string           `json:"argv"`
	KernelRelease string             `json:"kernelRelease"`
	Family        uint16             `json:"family"`
	Command       string             `json:"command"`
	Pid           int                `json:"pid,omitempty"`
	Options       *kcollapse.Options `json:"options,omitempty"`
	Request       string             `json:"request"`
	Reply         string             `json:"reply,omitempty"`
	Error         *recordedError     `json:"error,omitempty"`
}

type recordedError struct {
	Errno   int    `json:"errno"`
	Message string `json:"message"` // the extended-ACK text
	Text    string `json:"text"`    // the library's error text
	NlErr   string `json:"nlerr,omitempty"`
}

func (r *recorder) exchange(x kcollapse.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// cancel-ctx polls GET_INFO: one is enough.
	if x.Command == 3 {
		if r.infos++; r.infos > 1 {
			return
		}
	}
	r.n++
	name := fmt.Sprintf("%s.%d.%s", r.label, r.n, cmdNames[x.Command])
	s := sidecar{Label: r.label, Argv: os.Args[1:], KernelRelease: release(),
		Family: x.Family, Command: cmdNames[x.Command], Request: name + ".req"}
	if x.Command != 3 {
		s.Pid = asked.pid
	}
	if x.Command == 1 {
		s.Options = asked.opts
	}
	r.write(s.Request, x.Request)
	if x.Reply != nil {
		s.Reply = name + ".reply"
		r.write(s.Reply, x.Reply)
	}
	if x.Err != nil {
		e := &recordedError{Text: x.Err.Error()}
		var errno syscall.Errno
		if errors.As(x.Err, &errno) {
			e.Errno = int(errno)
		}
		var oe *netlink.OpError
		if errors.As(x.Err, &oe) {
			e.Message = oe.Message
		}
		if b, err := rawExchange(x.Family, x.Request); err != nil {
			fmt.Fprintf(os.Stderr, "kc-goclient: record: raw resend: %v\n", err)
		} else {
			e.NlErr = name + ".nlerr"
			r.write(e.NlErr, b)
		}
		s.Error = e
	}
	b, _ := json.MarshalIndent(s, "", "\t")
	r.write(name+".json", append(b, '\n'))
}

// output records the command's printed JSON.
func (r *recorder) output(b []byte) {
	r.write(r.label+".out.json", append(b, '\n'))
}

func (r *recorder) write(name string, b []byte) {
	err := os.MkdirAll(r.dir, 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(r.dir, name), b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kc-goclient: record: %v\n", err)
	}
}

func release() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// rawExchange sends one generic-netlink payload to family on a fresh raw
// socket, extended ACK on as the Client's, and returns the first netlink
// message that comes back, header and all.
func rawExchange(family uint16, payload []byte) ([]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1); err != nil {
		return nil, err
	}
	msg := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(payload))
	binary.LittleEndian.PutUint32(msg[0:], uint32(unix.NLMSG_HDRLEN+len(payload)))
	binary.LittleEndian.PutUint16(msg[4:], family)
	binary.LittleEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	binary.LittleEndian.PutUint32(msg[8:], 1) // sequence
	msg = append(msg, payload...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, err
	}
	buf := make([]byte, 1<<16)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return nil, err
	}
	if n < unix.NLMSG_HDRLEN {
		return nil, fmt.Errorf("short reply (%d bytes)", n)
	}
	l := int(binary.LittleEndian.Uint32(buf))
	if l < unix.NLMSG_HDRLEN || l > n {
		return nil, fmt.Errorf("bad reply length %d of %d", l, n)
	}
	return buf[:l], nil
}

// cmdDump prints DIR as a base64 tar.gz between marker lines.
func cmdDump(args []string) (interface{}, bool) {
	if len(args) != 1 {
		return map[string]string{"error": "usage: kc-goclient dump DIR"}, false
	}
	names, err := filepath.Glob(filepath.Join(args[0], "*"))
	if err != nil {
		return report(err), false
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return report(err), false
		}
		h := &tar.Header{Name: filepath.Base(n), Mode: 0o644, Size: int64(len(b))}
		if err := tw.WriteHeader(h); err != nil {
			return report(err), false
		}
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	s := base64.StdEncoding.EncodeToString(buf.Bytes())
	fmt.Println(dumpBegin)
	for len(s) > 76 {
		fmt.Println(s[:76])
		s = s[76:]
	}
	fmt.Println(s)
	fmt.Println(dumpEnd)
	return map[string]int{"files": len(names), "bytes": buf.Len()}, true
}
