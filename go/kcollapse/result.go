package kcollapse

import (
	"fmt"

	"github.com/mdlayher/netlink"
)

// Result is an operation's statistics: every KCOLLAPSE_R_* attribute of
// the reply (the uapi header says what each counts), plus the fields the
// orchestrator reads. JSON names are the orchestrator's CollapseResult
// names (regions, chunks, collapsed, skipped, alreadyHuge, elapsedMs:
// plain integers) and, for the rest, the ones kcollapsectl --json uses.
type Result struct {
	Regions     uint64 `json:"regions"`
	Chunks      uint64 `json:"chunks"`
	Collapsed   uint64 `json:"collapsed"`
	AlreadyHuge uint64 `json:"alreadyHuge"`
	// Skipped is every window neither collapsed nor already huge, as the
	// orchestrator's telemetry splits chunks: Chunks-Collapsed-AlreadyHuge.
	Skipped   uint64 `json:"skipped"`
	ElapsedMs int64  `json:"elapsedMs"`

	Candidates       uint64 `json:"candidates"`
	SkippedEmpty     uint64 `json:"skippedEmpty"`
	SkippedSparse    uint64 `json:"skippedSparse"`
	SkippedOptedOut  uint64 `json:"skippedOptedOut"`
	FailedNomem      uint64 `json:"failedNomem"`
	FailedBusy       uint64 `json:"failedBusy"`
	FailedAgain      uint64 `json:"failedAgain"`
	FailedIneligible uint64 `json:"failedIneligible"`
	FailedOther      uint64 `json:"failedOther"`
	ElapsedNs        uint64 `json:"elapsedNs"`

	FramesBefore       uint64 `json:"framesBefore"`
	FramesAfter        uint64 `json:"framesAfter"`
	PresentBytesBefore uint64 `json:"presentBytesBefore"`
	PresentBytesAfter  uint64 `json:"presentBytesAfter"`
	// AfterComplete is false when FramesAfter and PresentBytesAfter were
	// not measured (the operation stopped early): they are 0 then.
	AfterComplete bool       `json:"afterComplete"`
	Marked        uint64     `json:"marked"`
	StopReason    StopReason `json:"stopReason"`
	Mode          Mode       `json:"mode"`

	PackMoved       uint64 `json:"packMoved"`
	PackLeftPinned  uint64 `json:"packLeftPinned"`
	PackLeftShared  uint64 `json:"packLeftShared"`
	PackLeftThp     uint64 `json:"packLeftThp"`
	PackLeftDense   uint64 `json:"packLeftDense"`
	PackLeftBusy    uint64 `json:"packLeftBusy"`
	PackLeftLocked  uint64 `json:"packLeftLocked"` // mlock(2)ed, vm.compact_unevictable_allowed 0
	PackDenseFrames uint64 `json:"packDenseFrames"`
	PackDestFrames  uint64 `json:"packDestFrames"`
	PackBytesCopied uint64 `json:"packBytesCopied"`
	PackAllocFailed uint64 `json:"packAllocFailed"`

	// The working set (ClearAccessed): present pages accessed since the
	// last clear (a PMD-mapped window counts 512) and the distinct 2 MiB
	// frames holding them, before and after (after: 0 unless
	// AfterComplete). HotMeasured is true when the module sent them; an
	// older module's reply and InProcessCollapse leave it false, the four 0.
	HotPagesBefore  uint64 `json:"hotPagesBefore"`
	HotFramesBefore uint64 `json:"hotFramesBefore"`
	HotPagesAfter   uint64 `json:"hotPagesAfter"`
	HotFramesAfter  uint64 `json:"hotFramesAfter"`
	HotMeasured     bool   `json:"hotMeasured"`

	// Engine is "kmod" (the module) or "in-process" (InProcessCollapse).
	Engine string `json:"engine"`
	Pid    int    `json:"pid"`
}

// Engine names, as kcollapsectl and kcollapsed report them.
const (
	EngineKmod      = "kmod"
	EngineInProcess = "in-process"
)

// finish fills the fields derived from the counted ones; Skipped is 0 if
// the counts are inconsistent, as libkcollapse's kc_result_skipped().
func (r *Result) finish() {
	r.Skipped = 0
	if done := r.Collapsed + r.AlreadyHuge; done <= r.Chunks {
		r.Skipped = r.Chunks - done
	}
	r.ElapsedMs = int64(r.ElapsedNs / 1e6)
}

// u64Fields maps the u64 result attributes to their fields: one table, so
// that adding an attribute is one line.
func (r *Result) u64Fields() map[uint16]*uint64 {
	return map[uint16]*uint64{
		resRegions: &r.Regions, resChunks: &r.Chunks,
		resCandidates: &r.Candidates, resCollapsed: &r.Collapsed,
		resAlreadyHuge: &r.AlreadyHuge, resSkippedEmpty: &r.SkippedEmpty,
		resSkippedSparse: &r.SkippedSparse, resFailedNomem: &r.FailedNomem,
		resFailedBusy: &r.FailedBusy, resFailedAgain: &r.FailedAgain,
		resFailedIneligible: &r.FailedIneligible,
		resFailedOther:      &r.FailedOther, resElapsedNs: &r.ElapsedNs,
		resFramesBefore: &r.FramesBefore, resFramesAfter: &r.FramesAfter,
		resPresentBefore: &r.PresentBytesBefore,
		resPresentAfter:  &r.PresentBytesAfter, resMarked: &r.Marked,
		resPackMoved: &r.PackMoved, resPackLeftPinned: &r.PackLeftPinned,
		resPackLeftShared: &r.PackLeftShared, resPackLeftThp: &r.PackLeftThp,
		resPackLeftDense: &r.PackLeftDense, resPackLeftBusy: &r.PackLeftBusy,
		resPackDenseFrames: &r.PackDenseFrames,
		resPackDestFrames:  &r.PackDestFrames,
		resPackBytesCopied: &r.PackBytesCopied,
		resPackAllocFailed: &r.PackAllocFailed,
		resSkippedOptedOut: &r.SkippedOptedOut,
		resPackLeftLocked:  &r.PackLeftLocked,
		resHotPagesBefore:  &r.HotPagesBefore,
		resHotFramesBefore: &r.HotFramesBefore,
		resHotPagesAfter:   &r.HotPagesAfter,
		resHotFramesAfter:  &r.HotFramesAfter,
	}
}

// decode reads a KCOLLAPSE_A_RESULT nest. Unknown attributes (a
// newer module's, the pad) are skipped, as the uapi allows.
func (r *Result) decode(ad *netlink.AttributeDecoder) error {
	u64s := r.u64Fields()
	for ad.Next() {
		t := ad.Type()
		if p, ok := u64s[t]; ok {
			*p = ad.Uint64()
			// The before measurement is always taken by a module
			// that measures the working set at all.
			if t == resHotPagesBefore {
				r.HotMeasured = true
			}
			continue
		}
		switch t {
		case resStopReason:
			r.StopReason = StopReason(ad.Uint32())
		case resMode:
			r.Mode = Mode(ad.Uint32())
		case resAfterComplete:
			r.AfterComplete = ad.Uint32() != 0
		}
	}
	return ad.Err()
}

// decodeCollapseReply reads a COLLAPSE reply: the pid and the result nest.
func decodeCollapseReply(b []byte) (Result, error) {
	var r Result
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return r, err
	}
	nested := false
	for ad.Next() {
		switch ad.Type() {
		case attrPID:
			r.Pid = int(ad.Uint32())
		case attrResult:
			nested = true
			ad.Nested(r.decode)
		}
	}
	if err := ad.Err(); err != nil {
		return r, fmt.Errorf("kcollapse: malformed COLLAPSE reply: %w", err)
	}
	if !nested {
		return r, fmt.Errorf("kcollapse: COLLAPSE reply without a result")
	}
	r.Engine = EngineKmod
	r.finish()
	return r, nil
}
