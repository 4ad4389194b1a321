package kcollapse

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// ClearAccessed clears the accessed bits of pid's anonymous pages: it
// writes "2" to /proc/PID/clear_refs (proc(5)), the kernel's own
// primitive, with its locking and TLB flush; no module needed. The pages
// the process touches from then on are its working set: the Hot* fields
// of the next ModePack or ModeAuto Result count them, and Options.HotFirst
// packs them first. Clear after a resume; collapse with HotFirst before
// the next pause. As libkcollapse's kc_clear_accessed().
//
// Errors: *Error with syscall.ESRCH (no such process, or it exited; it
// matches os.ErrNotExist), syscall.EINVAL (pid not positive), or the
// errno of open(2)/write(2), such as EACCES.
func ClearAccessed(pid int) error {
	if err := checkPid("clear-accessed", pid); err != nil {
		return err
	}
	path := "/proc/" + strconv.Itoa(pid) + "/clear_refs"
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.Write([]byte("2"))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return &Error{Op: "clear-accessed", Pid: pid, Err: err}
	}
	if errno == syscall.ENOENT || errno == syscall.ESRCH {
		return &Error{Op: "clear-accessed", Pid: pid, Err: syscall.ESRCH, Message: "no such process"}
	}
	return &Error{Op: "clear-accessed", Pid: pid, Err: errno, Message: path}
}
