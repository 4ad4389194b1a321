package kcollapse

import (
	"errors"
	"fmt"
	"math"
	"os"
	"syscall"

	"github.com/mdlayher/netlink"
)

// Error is a request the module (or the netlink layer) refused. It wraps
// the errno, so errors.Is(err, syscall.EBUSY) and friends work, and
// os.ErrNotExist matches both a missing family (module not loaded) and
// ESRCH (no such process); os.ErrPermission matches EPERM.
type Error struct {
	Op      string // "dial", "collapse", "cancel", "info" or "clear-accessed"
	Pid     int    // the target, 0 for dial and info
	Message string // the module's extended-ACK text, or our own words
	Err     error  // the cause; a syscall.Errno for a netlink refusal
}

func (e *Error) Error() string {
	s := "kcollapse " + e.Op
	if e.Pid != 0 {
		s += fmt.Sprintf(" pid %d", e.Pid)
	}
	if e.Message != "" {
		return s + ": " + e.Message + " (" + e.Err.Error() + ")"
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes ESRCH an os.ErrNotExist: the target does not exist, which is
// what a caller tests for (syscall.Errno maps only ENOENT to it).
func (e *Error) Is(target error) bool {
	return target == os.ErrNotExist && errors.Is(e.Err, syscall.ESRCH)
}

// errNotLoaded is what a failed family lookup becomes: ENOENT from the
// controller means no family of that name, i.e. the module is not loaded.
func errNotLoaded(err error) error {
	return &Error{
		Op:      "dial",
		Message: `module not loaded (no generic netlink family "` + familyName + `")`,
		Err:     errnoOf(err),
	}
}

// wrapErr turns a netlink failure into an *Error carrying the errno and
// the extended-ACK text. ENOENT mid-request means the family went away:
// the module was unloaded meanwhile (libkcollapse says the same).
func wrapErr(op string, pid int, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, Pid: pid, Err: errnoOf(err)}
	var oe *netlink.OpError
	if errors.As(err, &oe) {
		e.Message = oe.Message
	}
	if e.Message == "" && errors.Is(err, syscall.ENOENT) {
		e.Message = "the module went away (unloaded during the request)"
	}
	return e
}

// errnoOf is err's errno when it has one, so that Error.Err is a plain
// syscall.Errno (netlink's OpError adds only its own wording); err
// itself otherwise.
func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// checkPid refuses what the module would with a less telling message
// (pid 0 is "integer out of range" there).
func checkPid(op string, pid int) error {
	if pid <= 0 || pid > math.MaxInt32 {
		return &Error{Op: op, Pid: pid, Err: syscall.EINVAL, Message: "pid must be a positive process id"}
	}
	return nil
}
