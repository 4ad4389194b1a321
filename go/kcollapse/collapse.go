package kcollapse

import (
	"context"
	"time"
)

// cancelRetry is how often Collapse repeats CANCEL while the module says
// nothing was running: the COLLAPSE request may not have reached it yet.
const cancelRetry = 10 * time.Millisecond

// Collapse runs one operation on pid's address space and returns its
// statistics. An operation that stopped early (deadline, target exit,
// module unload) is not an error: Result.StopReason says why.
//
// ctx: if it has a deadline and opts.Deadline is 0 or later, the time
// left is sent as the module's deadline, so the operation stops by itself
// in time and returns normally with StopDeadline. If ctx is done before
// the reply, Collapse sends CANCEL for pid on the Client's second socket
// (repeating it until the module has an operation to stop), waits for the
// reply, which comes within milliseconds, and returns the partial Result
// together with ctx.Err(). CANCEL stops whatever operation runs on pid's
// address space: if another caller's does (this one then fails with
// EBUSY), that one is stopped too.
//
// Errors: *Error, matching os.ErrNotExist (module unloaded, ESRCH: no such
// process), os.ErrPermission (not CAP_SYS_ADMIN), syscall.EBUSY (an
// operation runs on that process already, or too many run), syscall.EINVAL
// (a bad option: the message names it; HotFirst in ModeCollapse is
// refused here, before anything is sent), syscall.EOPNOTSUPP (the mode
// cannot run on this kernel).
func (c *Client) Collapse(ctx context.Context, pid int, opts Options) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := checkPid("collapse", pid); err != nil {
		return Result{}, err
	}
	if err := opts.check(pid); err != nil {
		return Result{}, err
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return Result{}, context.DeadlineExceeded
		}
		if opts.Deadline == 0 || left < opts.Deadline {
			opts.Deadline = left
		}
	}
	data, err := encodeCollapse(pid, opts)
	if err != nil {
		return Result{}, wrapErr("collapse", pid, err)
	}

	done := make(chan reply, 1)
	go func() {
		c.opMu.Lock()
		defer c.opMu.Unlock()
		b, err := c.execute(c.op, cmdCollapse, data)
		done <- reply{b, err}
	}()

	var r reply
	select {
	case r = <-done:
		return decodeCollapse(pid, r.b, r.err)
	case <-ctx.Done():
	}
	r = c.cancelUntilReplied(pid, done)
	res, err := decodeCollapse(pid, r.b, r.err)
	if err != nil {
		return res, err
	}
	return res, ctx.Err()
}

// reply is a COLLAPSE's outcome as the goroutine waiting for it saw it.
type reply struct {
	b   []byte
	err error
}

// cancelUntilReplied sends CANCEL for pid until the module stopped an
// operation or could not (the target is gone: the operation ends by
// itself), then waits for the COLLAPSE reply.
func (c *Client) cancelUntilReplied(pid int, done <-chan reply) reply {
	t := time.NewTicker(cancelRetry)
	defer t.Stop()
	for {
		n, err := c.Cancel(pid)
		if n > 0 || err != nil {
			return <-done
		}
		select {
		case r := <-done:
			return r
		case <-t.C:
		}
	}
}

func decodeCollapse(pid int, b []byte, err error) (Result, error) {
	if err != nil {
		return Result{}, wrapErr("collapse", pid, err)
	}
	res, err := decodeCollapseReply(b)
	if err != nil {
		return res, wrapErr("collapse", pid, err)
	}
	return res, nil
}
