package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"kcollapse.dev/go/kcollapse"
)

// opFlags are the options every collapsing command takes.
type opFlags struct {
	pid     int
	rng     string
	mode    string
	mark    bool
	dryRun  bool
	minFill uint
	allocMB int
	token   string
}

func parse(name string, args []string) (*opFlags, kcollapse.Options, error) {
	f := &opFlags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.IntVar(&f.pid, "pid", 0, "target (0: this process)")
	fs.StringVar(&f.rng, "range", "", "START:LEN (hex allowed)")
	fs.StringVar(&f.mode, "mode", "collapse", "collapse, pack or auto")
	fs.BoolVar(&f.mark, "mark", false, "MADV_HUGEPAGE first")
	fs.BoolVar(&f.dryRun, "dry-run", false, "classify only")
	fs.UintVar(&f.minFill, "min-fill", 0, "fewest present pages per window")
	fs.IntVar(&f.allocMB, "alloc", 0, "first fragment this process's heap over this many MiB")
	fs.StringVar(&f.token, "token", "", "handler: the access token")
	if err := fs.Parse(args); err != nil {
		return nil, kcollapse.Options{}, err
	}
	if f.pid == 0 {
		f.pid = os.Getpid()
	}
	o := kcollapse.Options{MarkHugepage: f.mark, DryRun: f.dryRun, MinFill: uint32(f.minFill)}
	var err error
	if o.Mode, err = kcollapse.ParseMode(f.mode); err != nil {
		return nil, o, err
	}
	if f.rng != "" {
		s, l, ok := strings.Cut(f.rng, ":")
		var e1, e2 error
		o.RangeStart, e1 = strconv.ParseUint(s, 0, 64)
		o.RangeLen, e2 = strconv.ParseUint(l, 0, 64)
		if !ok || e1 != nil || e2 != nil {
			return nil, o, fmt.Errorf("bad -range %q", f.rng)
		}
	}
	asked.pid, asked.opts = f.pid, &o
	return f, o, nil
}

// collapseOut is what collapse and cancel-ctx print.
type collapseOut struct {
	Result *kcollapse.Result `json:"result,omitempty"`
	Err    *errorReport      `json:"err,omitempty"`
	Verify string            `json:"verify,omitempty"`
}

func cmdCollapse(args []string) (interface{}, bool) {
	f, o, err := parse("collapse", args)
	if err != nil {
		return report(err), false
	}
	heap := fragmentHeap(f.allocMB)
	c, err := dial()
	if err != nil {
		return collapseOut{Err: report(err)}, false
	}
	defer c.Close()
	res, err := c.Collapse(context.Background(), f.pid, o)
	out := collapseOut{Err: report(err), Verify: heap.verify()}
	if err == nil {
		out.Result = &res
	}
	return out, err == nil && out.Verify == "ok"
}

// cmdCancelCtx starts a collapse, cancels its context once the module
// reports it running, and expects the partial result with
// context.Canceled.
func cmdCancelCtx(args []string) (interface{}, bool) {
	f, o, err := parse("cancel-ctx", args)
	if err != nil {
		return report(err), false
	}
	c, err := dial()
	if err != nil {
		return collapseOut{Err: report(err)}, false
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel()
		for end := time.Now().Add(60 * time.Second); time.Now().Before(end); {
			if in, err := c.Info(); err == nil && in.OpsInFlight > 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	res, err := c.Collapse(ctx, f.pid, o)
	return collapseOut{Result: &res, Err: report(err)}, errors.Is(err, context.Canceled)
}

// handlerOut is one orchestrator-exact request through kcollapse.Handler.
type handlerOut struct {
	Status       int             `json:"status"`
	ContentType  string          `json:"contentType"`
	CacheControl string          `json:"cacheControl"`
	Body         json.RawMessage `json:"body"`
	Verify       string          `json:"verify"`
}

func cmdHandler(args []string) (interface{}, bool) {
	f, o, err := parse("handler", args)
	if err != nil {
		return report(err), false
	}
	heap := fragmentHeap(f.allocMB)
	h := kcollapse.NewHandler(kcollapse.HandlerConfig{Pid: f.pid, Options: o,
		AccessToken: func() string { return f.token }})
	// As the orchestrator sends it: POST, no body, the token if any.
	r := httptest.NewRequest(http.MethodPost, "/collapse", nil)
	r.ContentLength = 0
	if f.token != "" {
		r.Header.Set("X-Access-Token", f.token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	out := handlerOut{Status: w.Code, ContentType: w.Header().Get("Content-Type"),
		CacheControl: w.Header().Get("Cache-Control"), Body: w.Body.Bytes(),
		Verify: heap.verify()}
	return out, w.Code == http.StatusOK && out.Verify == "ok"
}
