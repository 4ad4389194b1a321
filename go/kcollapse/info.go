package kcollapse

import "github.com/mdlayher/netlink"

// Info is GET_INFO's answer: which module, and whether its collapse
// engine may be called on this kernel. JSON names as kcollapsectl's.
type Info struct {
	ModuleVersion   string `json:"moduleVersion"`
	ProtoVersion    uint32 `json:"protocolVersion"`
	KernelRelease   string `json:"kernelRelease"`
	Engine          string `json:"engine"`
	EngineAvailable bool   `json:"engineAvailable"`
	EngineStatus    string `json:"engineStatus"`
	OpsInFlight     uint32 `json:"opsInFlight"`
	OpsMax          uint32 `json:"opsMax"`
}

// Info asks the module about itself; it needs no privilege and answers
// while a Collapse runs.
func (c *Client) Info() (Info, error) {
	c.ctlMu.Lock()
	b, err := c.execute(c.ctl, cmdGetInfo, nil)
	c.ctlMu.Unlock()
	if err != nil {
		return Info{}, wrapErr("info", 0, err)
	}
	var in Info
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return in, wrapErr("info", 0, err)
	}
	for ad.Next() {
		switch ad.Type() {
		case attrModuleVersion:
			in.ModuleVersion = ad.String()
		case attrProtoVersion:
			in.ProtoVersion = ad.Uint32()
		case attrKernelRelease:
			in.KernelRelease = ad.String()
		case attrEngine:
			in.Engine = ad.String()
		case attrEngineAvailable:
			in.EngineAvailable = ad.Uint8() != 0
		case attrEngineStatus:
			in.EngineStatus = ad.String()
		case attrOpsInFlight:
			in.OpsInFlight = ad.Uint32()
		case attrOpsMax:
			in.OpsMax = ad.Uint32()
		}
	}
	return in, wrapErr("info", 0, ad.Err())
}

// Cancel tells the operation running on pid's address space, whoever
// started it, to stop; it returns how many it told (0 or 1). A live
// process with nothing running is not an error.
func (c *Client) Cancel(pid int) (cancelled int, err error) {
	if err := checkPid("cancel", pid); err != nil {
		return 0, err
	}
	data, err := encodePid(pid)
	if err != nil {
		return 0, wrapErr("cancel", pid, err)
	}
	c.ctlMu.Lock()
	b, err := c.execute(c.ctl, cmdCancel, data)
	c.ctlMu.Unlock()
	if err != nil {
		return 0, wrapErr("cancel", pid, err)
	}
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return 0, wrapErr("cancel", pid, err)
	}
	for ad.Next() {
		if ad.Type() == attrCancelled {
			cancelled = int(ad.Uint32())
		}
	}
	return cancelled, wrapErr("cancel", pid, ad.Err())
}
