#!/usr/bin/env python3
"""scaling-report.py OUT_ROOT [KERNEL...]: the host side of `make bench-scaling`.

Reads OUT_ROOT/KERNEL/results.log (bench/scaling/run-all.sh's "# SCALE
{json}" lines) and writes OUT_ROOT/report/:
  scaling.json  every run, raw, and per operation and size the best time,
                its ratio to the smallest size and the checks
  scaling.md    the "Address-space scaling" section of BENCHMARKS.md
                (with bench/scaling-notes.md, the notes on the published run)
Times are each run's elapsedNs (the operation as the engine reports it,
its frame measurements included); best = the minimum over the repetitions.
Ratios are against the smallest reservation of the same operation in the
same boot. Standard library only.
"""
import datetime
import json
import math
import os
import sys

# no __pycache__ left in bench/ by the import
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import load, qemu_version  # noqa: E402  (bench/report.py, beside this file)

OPS = ["kmod-dry", "kmod-minfill", "kmod-collapse", "kmod-pack", "kmod-auto", "us-dry",
       "us-minfill"]
LABEL = {
    "kmod-dry": "module, dry run",
    "kmod-minfill": "module, collapse --min-fill 32 (classify only)",
    "kmod-collapse": "module, collapse",
    "kmod-pack": "module, pack",
    "kmod-auto": "module, auto --auto-threshold 32",
    "us-dry": "userspace engine, dry run",
    "us-minfill": "userspace engine, --min-fill 32 (classify only)",
}
# the target: the same present pages over 64 TiB cost within 2x of 2 GiB
TARGET = 2.0
WIN = 2 << 20


def checks(op, run, meta):
    """What a run must show whatever its time: the exact counts (the
    windows in between counted as empty, not lost), a run to the end, the
    live pages intact. Returns the problems found."""
    res, bad = run["result"], []
    live = meta.get("windows", 64) * meta.get("pagesPerWindow", 16)
    wins = meta.get("windows", 64)
    total = run["reserveBytes"] // WIN
    if res.get("stopReason") != "done":
        bad.append(f"stopped: {res.get('stopReason')}")
    if res.get("presentBytesBefore") != live * 4096:
        bad.append(f"present bytes before {res.get('presentBytesBefore')}, want {live * 4096}")
    # pack walks pages, not windows: its window counts are not the others'
    if res.get("mode") != "pack":
        if res.get("chunks") != total:
            bad.append(f"windows {res.get('chunks')}, want {total}")
        if res.get("skippedEmpty") != total - wins:
            bad.append(f"empty {res.get('skippedEmpty')}, want {total - wins}")
    if op.endswith("-minfill") and res.get("skippedSparse") != wins:
        bad.append(f"sparse {res.get('skippedSparse')}, want {wins}")
    if op == "kmod-collapse" and res.get("collapsed") != wins:
        bad.append(f"collapsed {res.get('collapsed')}, want {wins}")
    if op in ("kmod-pack", "kmod-auto") and res.get("packMoved", 0) == 0:
        bad.append("nothing moved")
    v = run.get("verify")
    if v is not None and not v.startswith("verify ok"):
        bad.append(f"pages: {v}")
    return bad


def fmt_ms(ns):
    ms = ns / 1e6
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def summarize(meta, runs):
    sizes = meta.get("sizes") or []
    for r in runs:
        if r["size"] not in sizes:
            sizes.append(r["size"])
    out = {}
    for op in OPS:
        rs = [r for r in runs if r["op"] == op]
        if not rs:
            continue
        cells = {}
        for size in sizes:
            here = [r for r in rs if r["size"] == size]
            if not here:
                continue
            done = [r for r in here if "result" in r]
            if not done:
                cells[size] = {"reserveBytes": here[0]["reserveBytes"],
                               "notRun": here[0].get("notRun"),
                               "predictedNs": here[0].get("predictedNs")}
                continue
            best = min(done, key=lambda r: r["result"]["elapsedNs"])
            problems = sorted({p for r in done for p in checks(op, r, meta)})
            cells[size] = {
                "reserveBytes": best["reserveBytes"], "runs": len(done),
                "bestNs": best["result"]["elapsedNs"],
                "allNs": [r["result"]["elapsedNs"] for r in done],
                "windows": best["result"].get("chunks"),
                "skippedEmpty": best["result"].get("skippedEmpty"),
                "collapsed": best["result"].get("collapsed"),
                "packMoved": best["result"].get("packMoved"),
                "framesBefore": best["result"].get("framesBefore"),
                "framesAfter": best["result"].get("framesAfter"),
                "stopReason": best["result"].get("stopReason"),
                "problems": problems,
            }
        base = next((c for c in cells.values() if "bestNs" in c), None)
        measured = [(s, c) for s, c in cells.items() if "bestNs" in c]
        for s, c in measured:
            c["ratio"] = c["bestNs"] / base["bestNs"]
        # log-log slope from the smallest to the largest size measured: ~0
        # follows the memory, ~1 follows the address space
        slope = None
        if len(measured) >= 2:
            (s0, c0), (s1, c1) = measured[0], measured[-1]
            slope = (math.log(c1["bestNs"] / c0["bestNs"])
                     / math.log(c1["reserveBytes"] / c0["reserveBytes"]))
        out[op] = {"cells": cells, "growthExponent": slope,
                   "largestMeasured": measured[-1][0] if measured else None}
    return sizes, out


def section(kernel, meta, sizes, summ):
    us = meta.get("userspaceInfo") or {}
    md = [f"### {kernel}: kernel {meta.get('kernel')}, {meta.get('cpus')} vCPUs, "
          f"{meta.get('memKiB', 0) // 1024} MiB, {meta['date']}\n",
          f"Userspace engine's huge-page detection on this kernel: "
          f"`{us.get('hugeDetection', 'unknown')}`. Each cell: the best elapsed ms "
          f"(best of {meta.get('reps')}, a fresh target for every run; a run over 10 s is "
          "not repeated) and, in parentheses, its ratio to the "
          f"{sizes[0]} run of the same operation.\n",
          "| operation | " + " | ".join(sizes) + f" | {sizes[-1]} / {sizes[0]} "
          f"(target <= {TARGET:g}x) | growth exponent |",
          "|---|" + "---:|" * len(sizes) + "---|---:|"]
    for op in OPS:
        if op not in summ:
            continue
        s = summ[op]
        row = [LABEL[op]]
        for size in sizes:
            c = s["cells"].get(size)
            if c is None:
                row.append("-")
            elif "bestNs" in c:
                flag = " **!**" if c["problems"] else ""
                row.append(f"{fmt_ms(c['bestNs'])} ({c['ratio']:.2f}x){flag}")
            else:
                row.append("not run")
        last = s["cells"].get(sizes[-1], {})
        if "ratio" in last:
            verdict = f"{last['ratio']:.2f}x: " + ("met" if last["ratio"] <= TARGET else
                                                  "**MISSED**")
        else:
            big = s["largestMeasured"]
            verdict = (f"not run over {big} (see below)" if big else "not run")
        g = s["growthExponent"]
        row += [verdict, "-" if g is None else f"{g:.2f}"]
        md.append("| " + " | ".join(row) + " |")
    md.append("")
    md.append("*Growth exponent*: log(t_largest / t_smallest) / log(size_largest / "
              "size_smallest) over the sizes measured; 0 = the cost follows the "
              "present pages, 1 = it follows the address space. **!** = a run "
              "whose counts or pages were wrong (listed below).\n")
    notes = []
    for op in OPS:
        if op not in summ:
            continue
        s = summ[op]
        skipped = [(sz, c) for sz, c in s["cells"].items() if "bestNs" not in c]
        if skipped:
            meas = [(sz, c) for sz, c in s["cells"].items() if "bestNs" in c]
            growth = ", ".join(f"{sz} {fmt_ms(c['bestNs'])} ms" for sz, c in meas)
            addr = (" O(address space) on this kernel:" if s["growthExponent"] is not None
                    and s["growthExponent"] > 0.5 else "")
            first = skipped[0][1]
            notes.append(f"- {LABEL[op]}: not run at {', '.join(sz for sz, _ in skipped)}:"
                         f"{addr} measured {growth} (growth exponent "
                         f"{s['growthExponent']:.2f}); {first.get('notRun')}."
                         if s["growthExponent"] is not None else
                         f"- {LABEL[op]}: not run at {', '.join(sz for sz, _ in skipped)}: "
                         f"{first.get('notRun')}.")
        for sz, c in s["cells"].items():
            if c.get("problems"):
                notes.append(f"- {LABEL[op]}, {sz}: " + "; ".join(c["problems"]))
    # what the runs did, at the smallest and the largest size: the counts are
    # exact whatever the size (the empty windows counted, not visited)
    md.append("Counts (best run) at the smallest and largest size measured: windows "
              "(all of them empty but 64, except pack, which does not count "
              "windows), collapsed, pages moved, frames before -> after.\n")
    md.append("| operation | size | windows | empty | collapsed | moved | frames | "
              "runs (ms) |")
    md.append("|---|---|---:|---:|---:|---:|---|---|")
    for op in OPS:
        if op not in summ:
            continue
        meas = [(sz, c) for sz, c in summ[op]["cells"].items() if "bestNs" in c]
        for sz, c in (meas[:1] + meas[-1:] if len(meas) > 1 else meas):
            md.append(f"| {LABEL[op]} | {sz} | {c['windows']} | {c['skippedEmpty']} | "
                      f"{c['collapsed']} | {c['packMoved']} | {c['framesBefore']} -> "
                      f"{c['framesAfter']} | "
                      + ", ".join(fmt_ms(n) for n in c["allNs"]) + " |")
    md.append("")
    if notes:
        md.append("\n".join(notes) + "\n")
    return md


def main():
    out_root = sys.argv[1]
    kernels = sys.argv[2:] or ["deb61", "deb612"]
    rep_dir = os.path.join(out_root, "report")
    os.makedirs(rep_dir, exist_ok=True)
    qemu = qemu_version()
    allk, body = {}, []
    for kernel in kernels:
        path = os.path.join(out_root, kernel, "results.log")
        if not os.path.exists(path):
            print(f"scaling-report: no {path}", file=sys.stderr)
            continue
        meta, runs = load(out_root, kernel, "SCALE")
        if not runs:
            print(f"scaling-report: no SCALE lines in {path}", file=sys.stderr)
            continue
        # the date of the guest run, not of this report
        meta["date"] = (datetime.datetime.fromtimestamp(os.path.getmtime(path),
                                                        datetime.timezone.utc)
                        .strftime("%Y-%m-%d %H:%M UTC"))
        meta["qemu"] = qemu + " (TCG)"
        sizes, summ = summarize(meta, runs)
        allk[kernel] = {"meta": meta, "summary": summ, "runs": runs}
        body += section(kernel, meta, sizes, summ)
    if not allk:
        sys.exit(1)
    any_meta = next(iter(allk.values()))["meta"]
    md = ["## Address-space scaling\n",
          "Produced by `make bench-scaling` (bench/scaling/, bench/scaling-report.py; "
          "every run in [bench/results/scaling.json](bench/results/scaling.json)). "
          "Does an operation cost follow the memory or the address space? One guest "
          f"boot per kernel ({any_meta.get('qemu')}): a `kc-sparse` target holding the "
          f"same {any_meta.get('windows')} x {any_meta.get('pagesPerWindow')} live "
          "pages (16 per window, windows spread evenly) in a `MAP_NORESERVE` "
          "reservation of each size, every operation over the whole reservation, "
          "a fresh target per run, the pages checked after every run that moved "
          "them. The target: 64 TiB within 2x of 2 GiB, every mode and "
          "engine. TCG times are slow and move with the host's load: compare "
          "ratios within one kernel's table, not absolute times across tables. "
          "From the third size on, a size whose time, extrapolated from the cost "
          "per byte of reservation between the last two sizes measured, would "
          f"exceed {any_meta.get('capS')} s is not run, nor any larger one.\n"]
    # the hand-written notes on the published run, as notes.md is for make bench
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scaling-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            md.append(f.read().rstrip("\n") + "\n")
    md += body
    with open(os.path.join(rep_dir, "scaling.json"), "w") as f:
        json.dump(allk, f, indent=1)
    with open(os.path.join(rep_dir, "scaling.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    print(f"scaling-report: {rep_dir}/scaling.md, scaling.json")


if __name__ == "__main__":
    main()
