package kcollapse

import (
	"errors"
	"sync"
	"syscall"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
)

// Client speaks to the kcollapse family over two generic-netlink sockets:
// a COLLAPSE holds its socket until the operation ends (the module runs
// it inside the request), so CANCEL and GET_INFO go over the other one
// and answer meanwhile. A Client is safe for concurrent use; COLLAPSEs on
// one Client run one after the other (use several Clients to run several
// at once).
type Client struct {
	op     *genetlink.Conn // COLLAPSE
	ctl    *genetlink.Conn // CANCEL, GET_INFO
	family genetlink.Family

	opMu  sync.Mutex // one COLLAPSE at a time per socket
	ctlMu sync.Mutex

	trace func(Exchange) // SetTrace
}

// Exchange is one request to the module and its outcome as raw
// generic-netlink payloads: the 4-byte genetlink header, then the
// attributes (no netlink header: its length, sequence and port id are
// the socket's). For recording real exchanges (kc-goclient's KC_RECORD,
// go/kcollapse/testdata).
type Exchange struct {
	Family  uint16 // the kcollapse family's id on that kernel
	Command uint8
	Request []byte
	Reply   []byte // the one reply; nil when Err is set
	Err     error  // as the netlink library returned it (*netlink.OpError)
}

// SetTrace makes c call f after every request with the Exchange; f may
// be called from two goroutines at once (a Collapse and a Cancel). Set it
// before using c; nil: none.
func (c *Client) SetTrace(f func(Exchange)) { c.trace = f }

// dialer opens one socket; tests replace it with a fake kernel.
type dialer func() (*genetlink.Conn, error)

func dialKernel() (*genetlink.Conn, error) {
	c, err := genetlink.Dial(nil)
	if err != nil {
		return nil, err
	}
	// Without it the module's messages (which attribute is wrong, which
	// step ran out of memory) are lost; a kernel without it still works.
	_ = c.SetOption(netlink.ExtendedAcknowledge, true)
	return c, nil
}

// Dial opens a Client. If the module is not loaded the error matches
// os.ErrNotExist. The family is looked up once: a Client outlives no
// module reload (calls then fail with os.ErrNotExist; Dial again).
func Dial() (*Client, error) { return dial(dialKernel) }

func dial(d dialer) (*Client, error) {
	op, err := d()
	if err != nil {
		return nil, &Error{Op: "dial", Message: "cannot open a generic netlink socket", Err: errnoOf(err)}
	}
	f, err := op.GetFamily(familyName)
	if err != nil {
		op.Close()
		if errors.Is(err, syscall.ENOENT) {
			return nil, errNotLoaded(err)
		}
		return nil, wrapErr("dial", 0, err)
	}
	ctl, err := d()
	if err != nil {
		op.Close()
		return nil, &Error{Op: "dial", Message: "cannot open a generic netlink socket", Err: errnoOf(err)}
	}
	return &Client{op: op, ctl: ctl, family: f}, nil
}

// Close closes both sockets. It does not stop a running Collapse: cancel
// its context first.
func (c *Client) Close() error {
	err1 := c.op.Close()
	err2 := c.ctl.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// execute sends one request and returns the attributes of its one reply.
// Only NLM_F_REQUEST: with NLM_F_ACK the ack would follow the reply as a
// second datagram, left unread for the next request to trip on.
func (c *Client) execute(conn *genetlink.Conn, cmd uint8, data []byte) ([]byte, error) {
	m := genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: familyVersion},
		Data:   data,
	}
	msgs, err := conn.Execute(m, c.family.ID, netlink.Request)
	if c.trace != nil {
		c.traceExchange(m, msgs, err)
	}
	if err != nil {
		return nil, err
	}
	if len(msgs) != 1 {
		return nil, errors.New("kcollapse: expected one reply message")
	}
	return msgs[0].Data, nil
}

func (c *Client) traceExchange(m genetlink.Message, msgs []genetlink.Message, err error) {
	x := Exchange{Family: c.family.ID, Command: m.Header.Command, Err: err}
	x.Request, _ = m.MarshalBinary()
	if err == nil && len(msgs) == 1 {
		x.Reply, _ = msgs[0].MarshalBinary()
	}
	c.trace(x)
}
