// Package kcollapse is a client of the kcollapse generic-netlink family
// (include/uapi/linux/kcollapse.h in the kcollapse tree, where the whole
// protocol is written down), and an http.Handler serving envd's
// POST /collapse with it.
//
// A Client sends COLLAPSE, CANCEL and GET_INFO:
//
//	c, err := kcollapse.Dial()
//	if errors.Is(err, os.ErrNotExist) {
//		// the module is not loaded
//	}
//	defer c.Close()
//	res, err := c.Collapse(ctx, pid, kcollapse.Options{Mode: kcollapse.ModePack})
//
// Errors wrap the kernel's errno, so callers test them with errors.Is:
// os.ErrNotExist (module not loaded, no such process), os.ErrPermission
// (not CAP_SYS_ADMIN), syscall.EBUSY, syscall.EINVAL, syscall.EOPNOTSUPP.
// Their text carries the module's extended-ACK message.
//
// Handler (see NewHandler) answers the orchestrator's body-less request
// exactly as envd does, through the module when it is loaded and with the
// in-process method it replaces (InProcessCollapse) when it is not.
package kcollapse
