package kcollapse

import (
	"math"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
)

// Options are a COLLAPSE request's parameters; the zero value is the
// module's defaults: the whole address space, no deadline, min fill 1,
// collapse mode, nothing marked, a real run.
type Options struct {
	// RangeStart (page aligned) and RangeLen bound the addresses covered;
	// RangeLen 0 means to the end of the address space.
	RangeStart uint64
	RangeLen   uint64
	// Deadline stops the operation after this long with its partial
	// statistics (StopDeadline). 0: none, unless ctx has a deadline (see
	// Client.Collapse). Sent in whole milliseconds, rounded up.
	Deadline time.Duration
	// MinFill: fewest present 4 KiB pages (1..512) a window needs to be
	// collapsed; 0 means the module's default (1).
	MinFill uint32
	// MarkHugepage first applies MADV_HUGEPAGE to the covered VMAs, as
	// the in-process method does, clearing THP opt-outs (VM_NOHUGEPAGE).
	MarkHugepage bool
	// DryRun classifies only.
	DryRun bool
	Mode   Mode
	// AutoThreshold (1..512) is ModeAuto's collapse/pack split; 0 means
	// the module's default (448). Only sent in ModeAuto: the module
	// refuses it in the other modes.
	AutoThreshold uint32
	// HotFirst (ModePack and ModeAuto only; refused with EINVAL in
	// ModeCollapse before anything is sent, as libkcollapse does) packs
	// the pages accessed since the last ClearAccessed first, into 2 MiB
	// blocks of their own: the working set a resume touches ends in the
	// fewest frames. Result.Hot* count it. The module only.
	HotFirst bool
	// Pidfd, if above 0, is a pidfd (pidfd_open(2), os.Process on Linux)
	// of the target, sent beside pid: the module then refuses a pid that
	// no longer names that process (reused since the caller looked)
	// instead of working on whatever holds it now.
	Pidfd int
}

// check refuses what no engine runs, naming the option: HotFirst orders
// the pages pack moves, and collapse mode moves none.
func (o Options) check(pid int) error {
	if o.HotFirst && o.Mode == ModeCollapse {
		return &Error{Op: "collapse", Pid: pid, Err: syscall.EINVAL,
			Message: "HotFirst needs ModePack or ModeAuto (collapse mode moves no pages)"}
	}
	return nil
}

// deadlineMs is d in whole milliseconds, rounded up so that a short
// positive deadline does not become 0 ("none"), capped to the u32.
func deadlineMs(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(ms)
}

// encodeCollapse builds a COLLAPSE request's attributes. Values the
// module checks (alignment, bounds) are left to it: its extended-ACK
// message names the attribute.
func encodeCollapse(pid int, o Options) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(attrPID, uint32(pid))
	if o.RangeStart != 0 {
		ae.Uint64(attrRangeStart, o.RangeStart)
	}
	if o.RangeLen != 0 {
		ae.Uint64(attrRangeLen, o.RangeLen)
	}
	if ms := deadlineMs(o.Deadline); ms != 0 {
		ae.Uint32(attrDeadlineMs, ms)
	}
	if o.MinFill != 0 {
		ae.Uint32(attrMinFill, o.MinFill)
	}
	if o.MarkHugepage {
		ae.Flag(attrMarkHugepage, true)
	}
	if o.DryRun {
		ae.Flag(attrDryRun, true)
	}
	ae.Uint32(attrMode, uint32(o.Mode))
	if o.Mode == ModeAuto && o.AutoThreshold != 0 {
		ae.Uint32(attrAutoThreshold, o.AutoThreshold)
	}
	if o.Pidfd > 0 {
		ae.Uint32(attrPidfd, uint32(o.Pidfd))
	}
	if o.HotFirst {
		ae.Flag(attrHotFirst, true)
	}
	return ae.Encode()
}

// encodePid builds a CANCEL request's attributes.
func encodePid(pid int) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(attrPID, uint32(pid))
	return ae.Encode()
}
