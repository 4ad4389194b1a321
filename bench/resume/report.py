#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUTDIR [--check] [--notes FILE]: the lazy-restore harness's tables.

Reads OUTDIR/meta.txt and OUTDIR/runs/*/result.json (bench/resume/run.sh),
writes OUTDIR/report/resume.md (a table per workload),
OUTDIR/report/resume.json (every run) and, with gnuplot,
OUTDIR/report/resume-pages.png, and prints the tables. --notes puts FILE
(Markdown: the hand-written notes on the run) after the run's facts.

--check (the smoke run): one TAP line per workload and per run, ending with
"N passed, N failed"; a run passes when it produced exact counts (the
destination's traced page requests, matching what the source received),
and a workload passes when its pack variant (else its second) requested
fewer 2 MiB pages to the first answer than its first (run.sh's order: none
first).
Exit status 1 when anything failed.
"""
import glob
import json
import os
import shutil
import subprocess
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


def hot(r):
    """The working set after the preparation, as the module counted it:
    hot pages (accessed since the workload's last clear_refs) in hot
    frames; "-" where nothing asked the module (none, inprocess)."""
    res = (r.get("guest") or {}).get("result") or {}
    if not res.get("hotMeasured"):
        return "-"
    return f"{res['hotPagesAfter']} in {res['hotFramesAfter']}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def needed(r):
    """What the answer needed: every heap frame (it reads every resident heap
    page, so each was requested or pushed before it) plus the other pages it
    requested: what a restore with no background push would request, but
    for other pages the push happened to bring. Not for the Go service
    (gosvc): its request reads a working set, not every heap page."""
    if r.get("heapFrames") is None or "service" in (r.get("guest") or {}):
        return "-"
    return r["heapFrames"] + r["otherPagesToAnswer"]


def table(wl, runs):
    base = {r["label"]: r for r in runs if r.get("ok")}
    none = base.get("none", {}).get("pagesToAnswer")
    inproc = base.get("inprocess", {}).get("pagesToAnswer")
    lines = [
        f"### {wl}",
        "",
        "| variant | frames before | frames after | pages to answer | of them heap |"
        " other | heap frames | needed | requests to answer | pages in window |"
        " placed to answer | ms to answer | vs none | vs in-process | hot pages in frames |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        if not r.get("ok"):
            lines.append(f"| {r['label']} | {frames(r, 'before')} | | failed: "
                         f"{r.get('error', '?')[:60]} | | | | | | | | | | | |")
            continue
        p = r["pagesToAnswer"]
        lines.append(
            f"| {r['label']} | {frames(r, 'before')} | {frames(r, 'after')} | {p} |"
            f" {r.get('heapPagesToAnswer', '-')} | {r.get('otherPagesToAnswer', '-')} |"
            f" {r.get('heapFrames', '-')} | {needed(r)} | {r['requestsToAnswer']} | {r['pagesWindow']} | {r['placedToAnswer']} |"
            f" {r['runToAnswerMs']} | {ratio(p, none)} | {ratio(p, inproc)} | {hot(r)} |")
    return "\n".join(lines) + "\n"


def hot_target(r):
    """The hot-first layout's target: the working set in at most
    1.1 x ceil(hot pages / 512) + 2 frames; "" where not measured."""
    res = (r.get("guest") or {}).get("result") or {}
    if not res.get("hotMeasured") or not res.get("hotPagesAfter"):
        return ""
    pages, got = res["hotPagesAfter"], res["hotFramesAfter"]
    bound = int(1.1 * -(-pages // 512)) + 2
    return (f"; hot set {pages} pages in {got} frames (target <= {bound}: "
            + ("met)" if got <= bound else "missed)"))


def targets(wl, runs):
    """The targets for pack-like variants: >= 90 % fewer pages to the
    first answer than none, and at least 3x fewer than in-process; for
    hot-first variants also the hot set's frames (hot_target)."""
    got = {r["label"]: r["pagesToAnswer"] for r in runs if r.get("ok")}
    if "none" not in got:
        return ""
    out = []
    for lb, p in got.items():
        if lb in ("none", "inprocess", "collapse"):
            continue
        cut = 100 * (1 - p / got["none"])
        line = f"- {wl} {lb}: {cut:.1f} % fewer pages than none " + \
            ("(target >= 90 %: met)" if cut >= 90 else "(target >= 90 %: missed)")
        if got.get("inprocess"):
            x = got["inprocess"] / p
            line += f", {x:.1f}x fewer than in-process " + \
                ("(target >= 3x: met)" if x >= 3 else "(target >= 3x: missed)")
        need = {r["label"]: needed(r) for r in runs if r.get("ok")}
        if need.get(lb) != "-" and need.get("none") not in (None, "-"):
            line += f"; needed: {100 * (1 - need[lb] / need['none']):.1f} % fewer than none"
            if need.get("inprocess") not in (None, "-"):
                line += f", {need['inprocess'] / need[lb]:.1f}x fewer than in-process"
        run = next(r for r in runs if r.get("ok") and r["label"] == lb)
        if "--hot-first" in ((run.get("guest") or {}).get("xargs") or ""):
            line += hot_target(run)
        out.append(line)
    return "\n".join(out) + "\n" if out else ""


def chart(rep, by_wl):
    """Pages to the first answer per variant, one cluster per workload."""
    if not shutil.which("gnuplot"):
        return False
    labels = []
    for rs in by_wl.values():
        for r in rs:
            if r["label"] not in labels:
                labels.append(r["label"])
    dat = os.path.join(rep, "resume-pages.dat")
    with open(dat, "w") as f:
        f.write("workload " + " ".join(labels) + "\n")
        for wl, rs in by_wl.items():
            got = {r["label"]: r.get("pagesToAnswer", "?") if r.get("ok") else "?" for r in rs}
            f.write(wl + " " + " ".join(str(got.get(lb, "?")) for lb in labels) + "\n")
    cols = ", ".join(f"'{dat}' using {i + 2}:xtic(1) title '{lb}'" for i, lb in enumerate(labels))
    gp = f"""
set terminal pngcairo size 900,420 noenhanced font ',10'
set output '{rep}/resume-pages.png'
set title '2 MiB pages requested until the first answer after a lazy restore'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile missing '?'
set key autotitle columnhead top right
set ylabel 'pages requested (log)'
set logscale y
set yrange [1:*]
set grid ytics
plot {cols}
"""
    p = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if p.returncode:
        print("report: gnuplot failed: " + p.stderr, file=sys.stderr)
    return p.returncode == 0


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    notes = ""
    if len(args) == 3 and args[1] == "--notes":
        with open(args[2]) as f:
            notes = f.read().strip() + "\n"
        args = args[:1]
    if len(args) != 1:
        sys.exit("usage: report.py OUTDIR [--check] [--notes FILE]")
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
    md = ["## Resume, measured", "",
          "Produced by `make resume-bench` (bench/resume/run.sh; how it works and what "
          "the counts are: [bench/resume/README.md](bench/resume/README.md)); every "
          "figure in [bench/results/resume.json](bench/results/resume.json). Each variant's "
          "guest was migrated with QEMU postcopy onto 2 MiB hugetlbfs RAM, every page "
          "request delayed on its way to the source, and asked one question.", "",
          "```", meta.strip(), "```", "", notes,
          "pages = distinct 2 MiB pages the destination requested until the workload's "
          "first answer (or within the window from the destination running); of them "
          "heap = those holding the workload's heap after the preparation (its pagemap), "
          "other = the rest (the kernel's, the process's code, stack, page tables); "
          "heap frames = all the heap's frames, every one of which the answer reads "
          "(requested, or pushed by the capped background transfer before it was "
          "touched); needed = heap frames + other, what a restore with no background "
          "push would have requested (not for gosvc, the Go service, whose answer "
          "reads its working set: its hot cache entries and 64 more); requests = "
          "its request messages; placed = pages on the destination by the answer, "
          "requested or pushed by the capped background transfer; frames = the "
          "workload's distinct 2 MiB frames before and after the preparation "
          "(`kcollapsectl frames`); ms from the destination running to the answer "
          "(TCG: compare ratios). vs none / vs in-process: pages to the answer over "
          "theirs. hot pages in frames: the working set after the preparation as the "
          "module counted it (pages accessed since the workload's last clear_refs; "
          "gosvc clears before its pre-pause requests, kc-benchheap never does, so "
          "there every page it ever touched is hot); hotfirst = pack --hot-first.\n"]
    for wl, rs in by_wl.items():
        md.append(table(wl, rs))
        md.append(targets(wl, rs))
    os.makedirs(os.path.join(out, "report"), exist_ok=True)
    if chart(os.path.join(out, "report"), by_wl):
        md.append("![2 MiB pages requested to the first answer](bench/results/resume-pages.png)\n")
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
        # however its pages arrived (a collapse makes more pages resident,
        # zero-filled: the page count may grow, the checksum may not change)
        # (the Go service answers "answer N corrupt-C IDS" when an entry
        # it read no longer matches its checksum)
        ans = {r["answer"].split(" ")[2] for r in rs if r.get("ok")}
        tap(len(ans) == 1 and not any(a.startswith("corrupt") for a in ans),
            f"{wl}: every variant's answer has the same heap "
            f"checksum ({', '.join(sorted(ans))})")
        # the first variant (none) against pack where the run has it, else
        # against the second (the smoke run: none and pack)
        b = next((r for r in rs if r["label"] == "pack"), rs[1] if len(rs) >= 2 else None)
        if b is not None and b is not rs[0] and rs[0].get("ok") and b.get("ok"):
            a = rs[0]
            tap(b["pagesToAnswer"] < a["pagesToAnswer"],
                f"{wl}: {b['label']} requested fewer 2 MiB pages to the first answer "
                f"than {a['label']} ({b['pagesToAnswer']} < {a['pagesToAnswer']})")
        else:
            tap(False, f"{wl}: two measured variants to compare")
    print(f"{passed} passed, {n - passed} failed")
    sys.exit(0 if passed == n else 1)


if __name__ == "__main__":
    main()
