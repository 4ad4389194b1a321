package kcollapse

import "fmt"

// Mode is what an operation does with the windows it reaches (enum
// kcollapse_mode; README "Modes"). Its text form is the one
// kcollapsectl --json and kcollapsed use.
type Mode uint32

const (
	ModeCollapse Mode = iota // every candidate window becomes a hugepage
	ModePack                 // live pages moved into few fresh 2 MiB blocks
	ModeAuto                 // dense windows collapsed, the rest packed
)

var modeNames = []string{"collapse", "pack", "auto"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", uint32(m))
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("kcollapse: unknown mode %q (collapse, pack or auto)", s)
}

func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	*m = v
	return err
}

// StopReason says why an operation ended (enum kcollapse_stop_reason);
// every reason but StopDone means it stopped early.
type StopReason uint32

const (
	StopDone         StopReason = iota // every window reached
	StopCancelled                      // CANCEL, e.g. from a cancelled context
	StopDeadline                       // Options.Deadline passed
	StopCallerKilled                   // the waiting caller's socket closed
	StopTargetExited                   // the target's address space went away
	StopUnloading                      // the module is being removed
)

var stopNames = []string{"done", "cancelled", "deadline", "caller-killed",
	"target-exited", "unloading"}

func (s StopReason) String() string {
	if int(s) < len(stopNames) {
		return stopNames[s]
	}
	return fmt.Sprintf("stop(%d)", uint32(s))
}

func (s StopReason) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *StopReason) UnmarshalText(b []byte) error {
	for i, n := range stopNames {
		if n == string(b) {
			*s = StopReason(i)
			return nil
		}
	}
	return fmt.Errorf("kcollapse: unknown stop reason %q", b)
}
