// kc-goclient drives package kcollapse from a static Go binary in the
// guest tests (tests/guest/t/61-go-client.sh): the module called from Go,
// as envd would. Each command prints one JSON object and exits 0 when it
// got what it was asked for.
//
//	kc-goclient info
//	kc-goclient collapse [-pid N] [-range START:LEN] [-mode M] [-mark] [-dry-run] [-min-fill N] [-alloc MiB]
//	kc-goclient cancel-ctx -pid N [-range START:LEN] [-mode M]
//	kc-goclient absent
//	kc-goclient handler [-token T] [-mode M] [-mark] [-alloc MiB]
//	kc-goclient dump DIR
//
// KC_RECORD=DIR records each request and reply (record.go).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"

	"kcollapse.dev/go/kcollapse"
)

var commands = map[string]func(args []string) (interface{}, bool){
	"info":       cmdInfo,
	"collapse":   cmdCollapse,
	"cancel-ctx": cmdCancelCtx,
	"absent":     cmdAbsent,
	"handler":    cmdHandler,
	"dump":       cmdDump,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: kc-goclient info|collapse|cancel-ctx|absent|handler|dump [options]")
		os.Exit(2)
	}
	out, ok := commands[os.Args[1]](os.Args[2:])
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(b))
	if rec != nil && os.Args[1] != "dump" {
		rec.output(b)
	}
	if !ok {
		os.Exit(1)
	}
}

// errorReport is an error as a test asserts on it: its text and what
// errors.Is says about it.
type errorReport struct {
	Error      string `json:"error"`
	NotExist   bool   `json:"notExist"`
	Permission bool   `json:"permission"`
	Errno      int    `json:"errno"`
}

func report(err error) *errorReport {
	if err == nil {
		return nil
	}
	r := &errorReport{Error: err.Error(),
		NotExist: errors.Is(err, os.ErrNotExist), Permission: errors.Is(err, os.ErrPermission)}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		r.Errno = int(errno)
	}
	return r
}

func cmdInfo(args []string) (interface{}, bool) {
	c, err := dial()
	if err != nil {
		return report(err), false
	}
	defer c.Close()
	in, err := c.Info()
	if err != nil {
		return report(err), false
	}
	return in, true
}

func cmdAbsent(args []string) (interface{}, bool) {
	c, err := kcollapse.Dial()
	if err == nil {
		c.Close()
		return map[string]string{"error": "Dial succeeded: the module is loaded"}, false
	}
	return report(err), errors.Is(err, os.ErrNotExist)
}
