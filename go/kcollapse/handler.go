package kcollapse

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"time"
)

// DefaultDeadline is the Handler's deadline when its Options set none:
// well below the orchestrator's 10 s client timeout, so that the partial
// result reaches it instead of a timeout.
const DefaultDeadline = 8 * time.Second

// HandlerConfig configures NewHandler.
type HandlerConfig struct {
	// AccessToken returns the sandbox's access token, "" while it has
	// none (envd receives it at /init); nil means never any. A request
	// must then carry it in X-Access-Token.
	AccessToken func() string
	// Pid is the process to collapse; 0 means this one (envd's own), the
	// only one the in-process fallback can do.
	Pid int
	// Options of every operation; Deadline 0 means DefaultDeadline. The
	// zero value collapses; set MarkHugepage to clear THP opt-outs as
	// envd's own method does (Go up to 1.20 opts its scavenged heap out),
	// or Mode to ModePack to move pages instead (module only).
	Options Options
}

// Handler serves envd's POST /collapse with envd's contract: the
// orchestrator's request (no body; X-Access-Token when the sandbox has a
// token) gets 200 and the Result as JSON, any failure 500 and envd's
// error schema {"code", "message"}. The token is checked first, so a
// wrong one is 401 whatever the method and path; then the path (404) and
// the method (405, with Allow). A request body is ignored, as envd does.
type Handler struct {
	cfg      HandlerConfig
	dial     func() (collapser, error)
	fallback func(context.Context, Options) (Result, error)
}

// collapser is the part of *Client the Handler uses; a seam for tests.
type collapser interface {
	Collapse(ctx context.Context, pid int, opts Options) (Result, error)
	Close() error
}

// NewHandler returns a Handler for cfg.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Options.Deadline == 0 {
		cfg.Options.Deadline = DefaultDeadline
	}
	return &Handler{
		cfg:      cfg,
		dial:     func() (collapser, error) { return Dial() },
		fallback: InProcessCollapse,
	}
}

// errorBody is envd's error schema; Code repeats the HTTP status.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.authorized(r) {
		writeError(w, http.StatusUnauthorized, "missing or invalid access token")
		return
	}
	if r.URL.Path != "/collapse" {
		writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed: "+r.Method)
		return
	}
	res, err := h.collapse(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) authorized(r *http.Request) bool {
	if h.cfg.AccessToken == nil {
		return true
	}
	want := h.cfg.AccessToken()
	if want == "" {
		return true
	}
	got := r.Header.Get("X-Access-Token")
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// collapse runs the configured operation through the module, or in
// process when the module is not loaded (or went away meanwhile) and the
// target is this process.
func (h *Handler) collapse(ctx context.Context) (Result, error) {
	pid, self := h.cfg.Pid, h.cfg.Pid == 0 || h.cfg.Pid == os.Getpid()
	if pid == 0 {
		pid = os.Getpid()
	}
	var res Result
	c, err := h.dial()
	if err == nil {
		res, err = c.Collapse(ctx, pid, h.cfg.Options)
		c.Close()
	}
	// Not found, for this process: the module is not loaded, or was
	// unloaded during the request (ENOENT).
	if err != nil && self && errors.Is(err, os.ErrNotExist) {
		return h.fallback(ctx, h.cfg.Options)
	}
	return res, err
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
