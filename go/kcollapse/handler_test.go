package kcollapse

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeCollapser stands for a Client in the handler's tests.
type fakeCollapser struct {
	res  Result
	err  error
	pid  int
	opts Options
}

func (f *fakeCollapser) Collapse(_ context.Context, pid int, o Options) (Result, error) {
	f.pid, f.opts = pid, o
	return f.res, f.err
}

func (f *fakeCollapser) Close() error { return nil }

// testHandler: a Handler whose module is fc (nil: not loaded) and whose
// fallback reports itself.
func testHandler(cfg HandlerConfig, fc *fakeCollapser) (*Handler, *int) {
	h := NewHandler(cfg)
	fallbacks := new(int)
	h.dial = func() (collapser, error) {
		if fc == nil {
			return nil, errNotLoaded(syscall.ENOENT)
		}
		return fc, nil
	}
	h.fallback = func(context.Context, Options) (Result, error) {
		*fallbacks++
		return Result{Engine: EngineInProcess, Chunks: 4, Collapsed: 3}, nil
	}
	return h, fallbacks
}

// orchestratorRequest is the orchestrator's call: POST, no body
// (Content-Length 0, no Content-Type), the token only when it has one.
func orchestratorRequest(method, path, token string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.ContentLength = 0
	if token != "" {
		r.Header.Set("X-Access-Token", token)
	}
	return r
}

// orchestratorResult is how the orchestrator decodes the body: plain
// ints, unknown fields ignored.
type orchestratorResult struct {
	Regions     int   `json:"regions,omitempty"`
	Chunks      int   `json:"chunks,omitempty"`
	Collapsed   int   `json:"collapsed,omitempty"`
	Skipped     int   `json:"skipped,omitempty"`
	AlreadyHuge int   `json:"alreadyHuge,omitempty"`
	ElapsedMs   int64 `json:"elapsedMs,omitempty"`
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func checkHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}

func checkErrorBody(t *testing.T, w *httptest.ResponseRecorder, code int) string {
	t.Helper()
	if w.Code != code {
		t.Fatalf("status %d, want %d: %s", w.Code, code, w.Body)
	}
	checkHeaders(t, w)
	var body map[string]interface{}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", w.Body, err)
	}
	msg, _ := body["message"].(string)
	if len(body) != 2 || body["code"] != float64(code) || msg == "" {
		t.Errorf("error body %s, want {code: %d, message}", w.Body, code)
	}
	return msg
}

func TestHandlerOKWithModule(t *testing.T) {
	fc := &fakeCollapser{res: Result{Regions: 7, Chunks: 385, Collapsed: 379,
		AlreadyHuge: 2, Skipped: 4, ElapsedMs: 434, Engine: EngineKmod,
		FramesBefore: 1586, FramesAfter: 465, StopReason: StopDone}}
	h, fallbacks := testHandler(HandlerConfig{}, fc)
	w := serve(h, orchestratorRequest("POST", "/collapse", ""))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	checkHeaders(t, w)
	var o orchestratorResult
	if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil {
		t.Fatal(err)
	}
	want := orchestratorResult{7, 385, 379, 4, 2, 434}
	if o != want {
		t.Errorf("orchestrator decoded %+v, want %+v", o, want)
	}
	var all map[string]interface{}
	_ = json.Unmarshal(w.Body.Bytes(), &all)
	if all["engine"] != "kmod" || all["framesAfter"] != float64(465) || all["stopReason"] != "done" {
		t.Errorf("extra fields missing: %s", w.Body)
	}
	if fc.pid != os.Getpid() || fc.opts.Deadline != DefaultDeadline || *fallbacks != 0 {
		t.Errorf("pid %d deadline %v fallbacks %d", fc.pid, fc.opts.Deadline, *fallbacks)
	}
}

func TestHandlerFallsBackWithoutModule(t *testing.T) {
	h, fallbacks := testHandler(HandlerConfig{}, nil)
	w := serve(h, orchestratorRequest("POST", "/collapse", ""))
	if w.Code != 200 || *fallbacks != 1 || !strings.Contains(w.Body.String(), `"engine":"in-process"`) {
		t.Fatalf("status %d fallbacks %d: %s", w.Code, *fallbacks, w.Body)
	}
}

func TestHandlerFallsBackWhenModuleLeavesMidRequest(t *testing.T) {
	fc := &fakeCollapser{err: wrapErr("collapse", 1, syscall.ENOENT)}
	h, fallbacks := testHandler(HandlerConfig{}, fc)
	if w := serve(h, orchestratorRequest("POST", "/collapse", "")); w.Code != 200 || *fallbacks != 1 {
		t.Fatalf("status %d fallbacks %d", w.Code, *fallbacks)
	}
}

// Another process cannot be collapsed from in here: no fallback.
func TestHandlerNoFallbackForAnotherPid(t *testing.T) {
	h, fallbacks := testHandler(HandlerConfig{Pid: os.Getpid() + 1}, nil)
	w := serve(h, orchestratorRequest("POST", "/collapse", ""))
	msg := checkErrorBody(t, w, 500)
	if *fallbacks != 0 || !strings.Contains(msg, "not loaded") {
		t.Errorf("fallbacks %d, message %q", *fallbacks, msg)
	}
}

func TestHandlerErrorIs500WithMessage(t *testing.T) {
	for _, err := range []error{
		&Error{Op: "collapse", Pid: 1, Err: syscall.EBUSY, Message: "already running"},
		context.Canceled,
	} {
		h, _ := testHandler(HandlerConfig{}, &fakeCollapser{err: err})
		w := serve(h, orchestratorRequest("POST", "/collapse", ""))
		if msg := checkErrorBody(t, w, 500); !strings.Contains(msg, err.Error()) {
			t.Errorf("message %q does not carry %q", msg, err)
		}
	}
}

// The token is checked before routing: 401 even for a wrong method or
// path; with no token configured (or none yet) anyone is let through.
func TestHandlerToken(t *testing.T) {
	token := "s3cret"
	cases := []struct {
		tok          func() string
		method, path string
		sent         string
		want         int
	}{
		{func() string { return token }, "POST", "/collapse", "", 401},
		{func() string { return token }, "POST", "/collapse", "wrong", 401},
		{func() string { return token }, "GET", "/collapse", "", 401},
		{func() string { return token }, "DELETE", "/nope", "s3cre", 401},
		{func() string { return token }, "POST", "/collapse", token, 200},
		{func() string { return token }, "GET", "/collapse", token, 405},
		{func() string { return token }, "POST", "/other", token, 404},
		{func() string { return "" }, "POST", "/collapse", "", 200},
		{func() string { return "" }, "POST", "/collapse", "anything", 200},
		{nil, "GET", "/collapse", "", 405},
		{nil, "PUT", "/", "", 404},
	}
	for _, c := range cases {
		h, _ := testHandler(HandlerConfig{AccessToken: c.tok}, &fakeCollapser{})
		w := serve(h, orchestratorRequest(c.method, c.path, c.sent))
		if w.Code != c.want {
			t.Errorf("%s %s token %q: status %d, want %d", c.method, c.path, c.sent, w.Code, c.want)
			continue
		}
		if c.want != 200 {
			checkErrorBody(t, w, c.want)
		}
		if allow := w.Header().Get("Allow"); (c.want == 405) != (allow == "POST") {
			t.Errorf("%s %s: Allow %q", c.method, c.path, allow)
		}
	}
}

func TestHandlerPassesConfiguredOptions(t *testing.T) {
	fc := &fakeCollapser{}
	opts := Options{Mode: ModePack, MinFill: 8, Deadline: 3 * time.Second}
	h, _ := testHandler(HandlerConfig{Pid: 777, Options: opts}, fc)
	serve(h, orchestratorRequest("POST", "/collapse", ""))
	if fc.pid != 777 || fc.opts != opts {
		t.Errorf("pid %d opts %+v, want 777 %+v", fc.pid, fc.opts, opts)
	}
}

func TestHandlerIgnoresBody(t *testing.T) {
	h, _ := testHandler(HandlerConfig{}, &fakeCollapser{})
	r := httptest.NewRequest("POST", "/collapse", strings.NewReader(`{"pid": 1}`))
	if w := serve(h, r); w.Code != 200 {
		t.Errorf("status %d with a body", w.Code)
	}
}

