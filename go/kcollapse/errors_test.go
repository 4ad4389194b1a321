package kcollapse

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestDialModuleNotLoaded(t *testing.T) {
	k := &fakeKernel{t: t, unloaded: true}
	_, err := dial(k.dial)
	if !errors.Is(err, os.ErrNotExist) || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("err %v: want os.ErrNotExist and ENOENT", err)
	}
	if !strings.Contains(err.Error(), "module not loaded") {
		t.Errorf("err %q does not say the module is not loaded", err)
	}
}

// Each refusal the uapi lists, as the kernel sends it, must match what a
// caller tests with errors.Is and carry the module's message.
func TestCollapseErrorMapping(t *testing.T) {
	cases := []struct {
		errno syscall.Errno
		msg   string
		is    []error
		isnt  []error
	}{
		{syscall.ESRCH, "no such process", []error{os.ErrNotExist, syscall.ESRCH}, []error{os.ErrPermission}},
		{syscall.EPERM, "CAP_SYS_ADMIN in the initial user namespace needed", []error{os.ErrPermission, syscall.EPERM}, []error{os.ErrNotExist}},
		{syscall.EBUSY, "an operation on this address space is already running", []error{syscall.EBUSY}, []error{os.ErrNotExist}},
		{syscall.EINVAL, "KCOLLAPSE_A_RANGE_START: not page aligned", []error{syscall.EINVAL}, []error{os.ErrNotExist}},
		{syscall.EOPNOTSUPP, "pack mode needs CONFIG_DEVICE_MIGRATION", []error{syscall.EOPNOTSUPP}, nil},
		{syscall.ENOENT, "", []error{os.ErrNotExist}, nil},
		{syscall.ENOMEM, "", []error{syscall.ENOMEM}, []error{os.ErrNotExist}},
	}
	for _, c := range cases {
		t.Run(c.errno.Error(), func(t *testing.T) {
			k := &fakeKernel{t: t, fn: func(uint8, []byte) ([]byte, error) {
				return nil, refusal{c.errno, c.msg}
			}}
			cl := k.client()
			defer cl.Close()
			_, err := cl.Collapse(context.Background(), 99, Options{})
			var ke *Error
			if !errors.As(err, &ke) || ke.Op != "collapse" || ke.Pid != 99 {
				t.Fatalf("err %#v: want *Error for collapse pid 99", err)
			}
			for _, target := range c.is {
				if !errors.Is(err, target) {
					t.Errorf("%v: errors.Is(%v) false", err, target)
				}
			}
			for _, target := range c.isnt {
				if errors.Is(err, target) {
					t.Errorf("%v: errors.Is(%v) true", err, target)
				}
			}
			if c.msg != "" && (ke.Message != c.msg || !strings.Contains(err.Error(), c.msg)) {
				t.Errorf("%q does not carry the extended ACK %q", err, c.msg)
			}
		})
	}
}

// Without extended-ACK text, ENOENT mid-request is the module going away.
func TestENOENTMidRequestSaysUnloaded(t *testing.T) {
	k := &fakeKernel{t: t, fn: func(uint8, []byte) ([]byte, error) {
		return nil, refusal{syscall.ENOENT, ""}
	}}
	cl := k.client()
	defer cl.Close()
	_, err := cl.Info()
	if !strings.Contains(err.Error(), "unloaded") {
		t.Errorf("%q does not say the module went away", err)
	}
}

func TestCancelErrorsAreWrapped(t *testing.T) {
	k := &fakeKernel{t: t, fn: func(uint8, []byte) ([]byte, error) {
		return nil, refusal{syscall.ESRCH, "no such process"}
	}}
	cl := k.client()
	defer cl.Close()
	n, err := cl.Cancel(12345)
	if n != 0 || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cancel: %d, %v; want 0 and os.ErrNotExist", n, err)
	}
}

func TestNonPositivePidRefusedBeforeSending(t *testing.T) {
	k := &fakeKernel{t: t, fn: func(uint8, []byte) ([]byte, error) {
		t.Error("a request was sent for pid 0")
		return nil, nil
	}}
	cl := k.client()
	defer cl.Close()
	if _, err := cl.Collapse(context.Background(), 0, Options{}); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("collapse pid 0: %v, want EINVAL", err)
	}
	if _, err := cl.Cancel(-1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("cancel pid -1: %v, want EINVAL", err)
	}
}
