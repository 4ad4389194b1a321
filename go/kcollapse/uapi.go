package kcollapse

// The protocol's numbers, copied from include/uapi/linux/kcollapse.h (the
// header is the reference; these must follow it).

const (
	familyName    = "kcollapse"
	familyVersion = 1
)

// Commands (enum kcollapse_cmd).
const (
	cmdCollapse = 1
	cmdCancel   = 2
	cmdGetInfo  = 3
)

// Top-level attributes (enum kcollapse_attr).
const (
	attrPID             = 1
	attrRangeStart      = 2
	attrRangeLen        = 3
	attrDeadlineMs      = 4
	attrMinFill         = 5
	attrMarkHugepage    = 6
	attrDryRun          = 7
	attrResult          = 8
	attrCancelled       = 9
	attrModuleVersion   = 10
	attrProtoVersion    = 11
	attrKernelRelease   = 12
	attrEngine          = 13
	attrEngineAvailable = 14
	attrEngineStatus    = 15
	attrOpsInFlight     = 16
	attrOpsMax          = 17
	attrPad             = 18
	attrMode            = 19
	attrAutoThreshold   = 20
	attrPidfd           = 23
	attrHotFirst        = 25
)

// Attributes inside attrResult (enum kcollapse_result_attr): all u64 but
// stop reason, mode and after-complete (u32).
const (
	resRegions          = 1
	resChunks           = 2
	resCandidates       = 3
	resCollapsed        = 4
	resAlreadyHuge      = 5
	resSkippedEmpty     = 6
	resSkippedSparse    = 7
	resFailedNomem      = 8
	resFailedBusy       = 9
	resFailedAgain      = 10
	resFailedIneligible = 11
	resFailedOther      = 12
	resElapsedNs        = 13
	resFramesBefore     = 14
	resFramesAfter      = 15
	resPresentBefore    = 16
	resPresentAfter     = 17
	resStopReason       = 18
	resMarked           = 19
	resPad              = 20
	resMode             = 21
	resPackMoved        = 22
	resPackLeftPinned   = 23
	resPackLeftShared   = 24
	resPackLeftThp      = 25
	resPackLeftDense    = 26
	resPackLeftBusy     = 27
	resPackDenseFrames  = 28
	resPackDestFrames   = 29
	resPackBytesCopied  = 30
	resPackAllocFailed  = 31
	resSkippedOptedOut  = 32
	resAfterComplete    = 33
	resPackLeftLocked   = 34
	resHotPagesBefore   = 35
	resHotFramesBefore  = 36
	resHotPagesAfter    = 37
	resHotFramesAfter   = 38
)

// WindowPages is the number of 4 KiB pages in one 2 MiB window, the
// upper bound of Options.MinFill and Options.AutoThreshold.
const WindowPages = 512
