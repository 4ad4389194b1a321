package kcollapse

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"testing"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// A fake kernel behind nltest sockets: it answers the controller's family
// lookup and hands kcollapse requests to a test's function, which returns
// reply attributes or a refusal (errno plus extended-ACK text, encoded as
// the kernel encodes them).

const fakeFamilyID = 0x22

// refusal is a netlink error reply: -errno and an NLMSGERR_ATTR_MSG.
type refusal struct {
	errno syscall.Errno
	msg   string
}

func (r refusal) Error() string { return r.msg }

// fakeFunc answers one kcollapse request (its genetlink command and
// attributes) with reply attributes, or an error: a refusal becomes a
// netlink error message, anything else fails the socket.
type fakeFunc func(cmd uint8, attrs []byte) ([]byte, error)

type fakeKernel struct {
	t        *testing.T
	unloaded bool // the family lookup fails with ENOENT
	fn       fakeFunc
}

func (k *fakeKernel) dial() (*genetlink.Conn, error) {
	return genetlink.NewConn(nltest.Dial(k.serve)), nil
}

func (k *fakeKernel) client() *Client {
	k.t.Helper()
	c, err := dial(k.dial)
	if err != nil {
		k.t.Fatalf("dial: %v", err)
	}
	return c
}

func (k *fakeKernel) serve(reqs []netlink.Message) ([]netlink.Message, error) {
	if len(reqs) != 1 {
		return nil, fmt.Errorf("fake: %d requests in one send", len(reqs))
	}
	req := reqs[0]
	var gm genetlink.Message
	if err := gm.UnmarshalBinary(req.Data); err != nil {
		return nil, err
	}
	if req.Header.Type == unix.GENL_ID_CTRL {
		if k.unloaded {
			return nltest.Error(int(syscall.ENOENT), reqs)
		}
		return fakeReply(req, unix.CTRL_CMD_NEWFAMILY, familyAttrs())
	}
	if req.Header.Type != fakeFamilyID {
		return nil, fmt.Errorf("fake: message to family %d", req.Header.Type)
	}
	if req.Header.Flags != netlink.Request {
		return nil, fmt.Errorf("fake: flags %v, want only Request", req.Header.Flags)
	}
	b, err := k.fn(gm.Header.Command, gm.Data)
	if r, ok := err.(refusal); ok {
		return []netlink.Message{errorMessage(req, r)}, nil
	}
	if err != nil {
		return nil, err
	}
	return fakeReply(req, gm.Header.Command, b)
}

func familyAttrs() []byte {
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, fakeFamilyID)
	ae.String(unix.CTRL_ATTR_FAMILY_NAME, familyName)
	ae.Uint32(unix.CTRL_ATTR_VERSION, familyVersion)
	b, _ := ae.Encode()
	return b
}

func fakeReply(req netlink.Message, cmd uint8, attrs []byte) ([]netlink.Message, error) {
	b, err := (genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: familyVersion},
		Data:   attrs,
	}).MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []netlink.Message{{
		Header: netlink.Header{Type: req.Header.Type, Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data:   b,
	}}, nil
}

// errorMessage is what the kernel sends for a refused request with
// extended ACK on and NLM_F_CAPPED: -errno, the request's header only,
// then the NLMSGERR_ATTR_MSG attribute.
func errorMessage(req netlink.Message, r refusal) netlink.Message {
	data := make([]byte, 4+16)
	binary.LittleEndian.PutUint32(data, uint32(-int32(r.errno)))
	hdr := req.Header
	hdr.Length = 16
	binary.LittleEndian.PutUint32(data[4:], hdr.Length)
	binary.LittleEndian.PutUint16(data[8:], uint16(hdr.Type))
	binary.LittleEndian.PutUint16(data[10:], uint16(hdr.Flags))
	binary.LittleEndian.PutUint32(data[12:], hdr.Sequence)
	binary.LittleEndian.PutUint32(data[16:], hdr.PID)
	if r.msg != "" {
		ae := netlink.NewAttributeEncoder()
		ae.String(unix.NLMSGERR_ATTR_MSG, r.msg)
		b, _ := ae.Encode()
		data = append(data, b...)
	}
	flags := netlink.HeaderFlags(unix.NLM_F_CAPPED)
	if r.msg != "" {
		flags |= netlink.AcknowledgeTLVs
	}
	return netlink.Message{
		Header: netlink.Header{Type: netlink.Error, Flags: flags,
			Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data: data,
	}
}

// attrsOf decodes a flat attribute list into type -> raw data.
func attrsOf(t *testing.T, b []byte) map[uint16][]byte {
	t.Helper()
	as, err := netlink.UnmarshalAttributes(b)
	if err != nil {
		t.Fatalf("attributes: %v", err)
	}
	m := map[uint16][]byte{}
	for _, a := range as {
		m[a.Type] = a.Data
	}
	return m
}
