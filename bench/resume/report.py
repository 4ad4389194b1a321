#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUTDIR [--check]: the lazy-restore harness's tables.

Reads OUTDIR/meta.txt and OUTDIR/runs/*/result.json (bench/resume/run.sh),
writes OUTDIR/report/resume.md (a table per workload) and
OUTDIR/report/resume.json (every run), and prints the tables.

--check (the smoke run): one TAP line per workload and per run, ending with
"N passed, N failed"; a run passes when it produced exact counts (the
destination's traced page requests, matching what the source received),
and a workload passes when its second variant requested fewer 2 MiB pages
to the first answer than its first (run.sh's order: none, then pack).
Exit status 1 when anything failed.
"""
import glob
import json
import os
import sys


def load(out):
    """The runs in run.sh's order (OUTDIR/runs.txt), else by name."""
    runs = []
    order = os.path.join(out, "runs.txt")
    if os.path.exists(order):
        with open(order) as f:
            paths = [os.path.join(out, "runs", d.strip(), "result.json") for d in f if d.strip()]
        paths = [p for p in paths if os.path.exists(p)]
    else:
        paths = sorted(glob.glob(os.path.join(out, "runs", "*", "result.json")))
    for path in paths:
        with open(path) as f:
            r = json.load(f)
        r["dir"] = os.path.basename(os.path.dirname(path))
        runs.append(r)
    return runs


def frames(r, when):
    g = r.get("guest") or {}
    return (g.get(when) or {}).get("frames", "")


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def table(wl, runs):
    base = {r["label"]: r for r in runs if r.get("ok")}
    none = base.get("none", {}).get("pagesToAnswer")
    inproc = base.get("inprocess", {}).get("pagesToAnswer")
    lines = [
        f"### {wl}",
        "",
        "| variant | frames before | frames after | pages to answer | requests to answer |"
        " pages in window | placed to answer | ms to answer | vs none | vs in-process |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        if not r.get("ok"):
            lines.append(f"| {r['label']} | {frames(r, 'before')} | | failed: "
                         f"{r.get('error', '?')[:60]} | | | | | | |")
            continue
        p = r["pagesToAnswer"]
        lines.append(
            f"| {r['label']} | {frames(r, 'before')} | {frames(r, 'after')} | {p} |"
            f" {r['requestsToAnswer']} | {r['pagesWindow']} | {r['placedToAnswer']} |"
            f" {r['runToAnswerMs']} | {ratio(p, none)} | {ratio(p, inproc)} |")
    return "\n".join(lines) + "\n"


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    if len(args) != 1:
        sys.exit("usage: report.py OUTDIR [--check]")
    out = args[0]
    runs = load(out)
    meta = ""
    if os.path.exists(os.path.join(out, "meta.txt")):
        with open(os.path.join(out, "meta.txt")) as f:
            meta = f.read()
    by_wl = {}
    for r in runs:
        wl = (r.get("guest") or {}).get("workload") or r["dir"].rsplit("-", 1)[0]
        by_wl.setdefault(wl, []).append(r)
    md = ["## Resume, measured (bench/resume/run.sh)", "", "```", meta.strip(), "```", ""]
    md.append("pages = distinct 2 MiB pages the destination requested; requests = its "
              "request messages; placed = pages on the destination by then, requested or "
              "pushed by the capped background transfer; ms from the destination running.\n")
    for wl, rs in by_wl.items():
        md.append(table(wl, rs))
    os.makedirs(os.path.join(out, "report"), exist_ok=True)
    with open(os.path.join(out, "report", "resume.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(out, "report", "resume.json"), "w") as f:
        json.dump({"meta": meta, "runs": runs}, f, indent=1)
    print("\n".join(md))
    if not check:
        return
    n = passed = 0

    def tap(ok, what):
        nonlocal n, passed
        n += 1
        passed += ok
        print(f"{'ok' if ok else 'not ok'} {n} - {what}")

    for wl, rs in by_wl.items():
        for r in rs:
            # every request the destination traced reached the source
            exact = bool(r.get("ok")) and r["requestsToAnswer"] > 0 and \
                r["srcRequestsAll"] == r["requestsAll"]
            tap(exact, f"{wl}/{r['label']}: exact request counts "
                f"({r.get('requestsToAnswer', '-')} to the answer, "
                f"{r.get('requestsAll', '-')} traced on the destination, "
                f"{r.get('srcRequestsAll', '-')} received by the source)"
                + ("" if r.get("ok") else f": {r.get('error', '?')}"))
        # the same heap answers the same, however it was prepared and
        # however its pages arrived
        ans = {r["answer"].split(" ", 2)[2] for r in rs if r.get("ok")}
        tap(len(ans) == 1, f"{wl}: every variant's answer has the same checksum "
            f"and page count ({', '.join(sorted(ans))})")
        if len(rs) >= 2 and all(r.get("ok") for r in rs[:2]):
            a, b = rs[0], rs[1]
            tap(b["pagesToAnswer"] < a["pagesToAnswer"],
                f"{wl}: {b['label']} requested fewer 2 MiB pages to the first answer "
                f"than {a['label']} ({b['pagesToAnswer']} < {a['pagesToAnswer']})")
        else:
            tap(False, f"{wl}: two measured variants to compare")
    print(f"{passed} passed, {n - passed} failed")
    sys.exit(0 if passed == n else 1)


if __name__ == "__main__":
    main()
