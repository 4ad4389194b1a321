#!/usr/bin/env python3
"""report.py OUT_ROOT [KERNEL...]: the host side of `make bench`.

Reads OUT_ROOT/KERNEL/results.log (the guest's "# BENCH {json}" lines),
derives every figure, and writes to OUT_ROOT/report/:
  bench.json    all runs, raw and derived, with the boot's metadata
  results.md    the Markdown tables (ratios against the baseline of the
                same boot and repetition)
  KERNEL-frames.png  frames after per engine and workload, against both limits
  KERNEL-timing.png  time per collapsed and per skipped window, per live page
  KERNEL-minfill.png the module's min_fill sweep: frames and present bytes after
Environment: FRAME_MS (22): the modeled cost of fetching one 2 MiB frame
on a cold resume. Standard library only; charts by gnuplot.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import datetime

FRAME_MS = float(os.environ.get("FRAME_MS", "22"))
ENGINES = ["baseline", "userspace", "kmod", "pack", "auto"]
# the collapse engines' targets and figures
ENGINES6 = ["baseline", "userspace", "kmod"]
# the module's modes (kcollapsectl collapse --mode ...)
MODES = ["kmod", "pack", "auto"]
ENGINE_LABEL = {"baseline": "in-process baseline", "userspace": "fallback (userspace)",
                "kmod": "module, collapse", "pack": "module, pack", "auto": "module, auto"}
PACK_FIELDS = ("packMoved", "packLeftPinned", "packLeftShared", "packLeftThp", "packLeftDense",
               "packLeftBusy", "packLeftLocked", "packDenseFrames", "packDestFrames",
               "packBytesCopied", "packAllocFailed")


def load(out_root, kernel, tag="BENCH"):
    """The boot's "# BENCHMETA" object and its "# TAG {json}" lines
    (scaling-report.py reads its "# SCALE" lines with it)."""
    path = os.path.join(out_root, kernel, "results.log")
    runs, meta = [], {}
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "").replace("\0", "")
    for line in text.splitlines():
        if line.startswith("# BENCHMETA "):
            meta = json.loads(line[len("# BENCHMETA "):])
        elif line.startswith(f"# {tag} "):
            runs.append(json.loads(line[len(f"# {tag} "):]))
    return meta, runs


def qemu_version():
    """The host's QEMU, first line of --version ("" without one)."""
    try:
        return subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return ""


def derive(r):
    b, a, res, dry = r["before"], r["after"], r["result"], r.get("dry") or {}
    d = {
        "framesBefore": b["frames"],
        "framesAfter": a["frames"],
        "presentBytesBefore": b["presentBytes"],
        "presentBytesAfter": a["presentBytes"],
        "livePages": b["presentPages"],
        "limitLiveWindows": b["liveWindows"],
        "limitPacked": math.ceil(b["presentPages"] / 512),
        "collapseMs": res["elapsedNs"] / 1e6,
        "chunks": res["chunks"],
        "collapsed": res["collapsed"],
        "skipped": res["skipped"],
        "modelResumeMsBefore": b["frames"] * FRAME_MS,
        "modelResumeMsAfter": a["frames"] * FRAME_MS,
        # pack's target: the whole operation's time over every live page of the
        # range (after it, each is in a consolidated frame or was already)
        "perLivePageUs": (res["elapsedNs"] / b["presentPages"] / 1e3
                          if b["presentPages"] else None),
    }
    d["limitPack"] = 1.05 * d["limitPacked"] + 1
    for k in PACK_FIELDS:
        d[k] = res.get(k, 0)
    d["limitDestFrames"] = math.ceil(d["packMoved"] / 512) + 1
    if r["engine"] == "baseline":
        d["outcomes"] = {k: res[k] for k in ("collapsed", "skipped", "errEinval", "errEnomem",
                                             "errEagain", "errOther")}
        d["alreadyHuge"] = 0
        d["perCollapsedMs"] = res["collapsedNs"] / res["collapsed"] / 1e6 if res["collapsed"] else None
        d["perSkippedUs"] = res["skippedNs"] / res["skipped"] / 1e3 if res["skipped"] else None
        d["timingMethod"] = "per madvise() call, timed in-process"
    else:
        d["outcomes"] = {k: res[k] for k in ("collapsed", "alreadyHuge", "skippedEmpty",
                                             "skippedSparse", "failedNomem", "failedBusy",
                                             "failedAgain", "failedIneligible", "failedOther")}
        d["alreadyHuge"] = res["alreadyHuge"]
        d["dryRunMs"] = dry["elapsedNs"] / 1e6
        # The engines report one elapsed time per operation (frame
        # measurements included): a dry run of the same fresh copy gives the
        # per-window classification cost, which is what a skipped window
        # costs; the real run minus the dry run, per collapsed window, is the
        # collapse cost. Both are upper bounds (a frames walk is included).
        skip = r.get("skip") or {}
        sn, s1 = skip.get("n") or {}, skip.get("one") or {}
        if (sn.get("chunks", 0) > 1 and sn.get("skippedEmpty") == sn["chunks"]
                and s1.get("chunks") == 1):
            # dry runs over the workload's longest run of empty windows and
            # over its first window: the marginal cost of one more window
            diff = sn["elapsedNs"] - s1["elapsedNs"]
            # not above the noise: no figure
            d["perSkippedUs"] = diff / (sn["chunks"] - 1) / 1e3 if diff > 0 else None
            d["opFixedUs"] = s1["elapsedNs"] / 1e3
            d["perSkippedMethod"] = (f"(dry run of {sn['chunks']} empty windows - dry run of 1) / "
                                     f"{sn['chunks'] - 1}, best of 3 each")
        else:
            d["perSkippedUs"] = (dry["elapsedNs"] / dry["chunks"] / 1e3
                                 if dry.get("chunks") else None)
            d["perSkippedMethod"] = "dry run over all windows / windows (upper bound)"
        d["perCollapsedMs"] = ((res["elapsedNs"] - dry["elapsedNs"]) / res["collapsed"] / 1e6
                               if res["collapsed"] else None)
        d["timingMethod"] = "operation elapsedNs; collapsed = (run - dry run of all windows) / collapsed (upper bound: one frames walk included)"
        if r["engine"] in ("pack", "auto"):
            # per-window costs are the collapse mode's (run-all.sh measures
            # the skip cost for it alone; auto's run time includes packing):
            # the modes are compared per live page
            d["perSkippedUs"] = d["perCollapsedMs"] = None
            d["perSkippedMethod"] = "not measured (see module, collapse)"
            d["timingMethod"] = "operation elapsedNs / live pages"
    return d


def fmt(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


CAUSES = [("skippedEmpty", "empty"), ("skippedSparse", "sparse"), ("failedNomem", "ENOMEM"),
          ("failedBusy", "EBUSY"), ("failedAgain", "EAGAIN"), ("failedIneligible", "inelig."),
          ("failedOther", "other"), ("errEinval", "EINVAL"), ("errEnomem", "ENOMEM"),
          ("errEagain", "EAGAIN"), ("errOther", "other errno")]


def causes(engine, o):
    parts = [f"{name} {o[k]}" for k, name in CAUSES if o.get(k)]
    return ", ".join(parts) or "-"


def ratio(a, b, nd=2):
    if a is None or b in (None, 0):
        return "-"
    return f"{a / b:.{nd}f}x"


def main():
    out_root = sys.argv[1]
    kernels = sys.argv[2:] or ["deb61"]
    rep_dir = os.path.join(out_root, "report")
    os.makedirs(rep_dir, exist_ok=True)
    allk = {}
    md = []
    for kernel in kernels:
        if not os.path.exists(os.path.join(out_root, kernel, "results.log")):
            # a guest that never booted: the others are still worth a report
            print(f"report: no {out_root}/{kernel}/results.log", file=sys.stderr)
            continue
        meta, runs = load(out_root, kernel)
        if not runs:
            print(f"report: no BENCH lines in {out_root}/{kernel}/results.log", file=sys.stderr)
            continue
        for r in runs:
            r["derived"] = derive(r)
        # the min_fill sweep (run-all.sh: runs with a minFill) has its own
        # table; the main table and the targets are the default runs
        sweep = [r for r in runs if r.get("minFill") is not None]
        runs = [r for r in runs if r.get("minFill") is None]
        # Timings under TCG vary from run to run (memory state, compaction):
        # the table and the targets use the best of the repetitions.
        for r in runs:
            same = [x["derived"] for x in runs
                    if x["workload"] == r["workload"] and x["engine"] == r["engine"]]
            for k in ("collapseMs", "perCollapsedMs", "perSkippedUs", "perLivePageUs"):
                vals = [x[k] for x in same if x.get(k) is not None]
                r["derived"]["best_" + k] = min(vals) if vals else None
        qemu = qemu_version()
        # the date of the guest run, not of this report
        mtime = os.path.getmtime(os.path.join(out_root, kernel, "results.log"))
        meta.update({"date": datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc)
                     .strftime("%Y-%m-%d %H:%M UTC"),
                     "qemu": qemu + " (TCG)", "frameMs": FRAME_MS, "runName": kernel})
        allk[kernel] = {"meta": meta, "runs": runs, "minFillSweep": sweep}
        by = {(r["workload"], r["engine"], r["rep"]): r for r in runs}
        workloads = []
        for r in runs:
            if r["workload"] not in workloads:
                workloads.append(r["workload"])
        reps = sorted({r["rep"] for r in runs})
        md.append(f"## {kernel}: kernel {meta.get('kernel')}, {meta.get('qemu')}, "
                  f"{meta.get('cpus')} vCPUs, {meta.get('memKiB', 0) // 1024} MiB, "
                  f"seed {meta.get('seed')}, {len(reps)} repetition(s), {meta['date']}\n")
        md.append("Frame counts: repetition 1 (the last column: every repetition); times "
                  "(collapse ms, per collapsed and per skipped window): the best of the "
                  "repetitions, as TCG timings vary from run to run. Frames are distinct 2 MiB guest-physical frames of the "
                  "workload's range (pagemap, `kcollapsectl frames`). Limits: *live win.* = "
                  "windows with any live page (the best any collapse can do), *packed* = "
                  "ceil(live pages / 512) (the best any placement can do). Ratios are "
                  "against the in-process baseline of the same boot. Module modes: "
                  "*collapse* (the default), *pack*, *auto* (`--mode`, default threshold); "
                  "each engine on a fresh copy of the workload. *Resume (model)* = "
                  f"frames after x {FRAME_MS:g} ms, a model, not a measurement.\n")
        md.append("| workload | engine | frames before | frames after | vs baseline | live win. | "
                  "packed | present MiB after | collapsed | already huge | skipped | "
                  "skipped: by cause | collapse ms | ms / collapsed win. | vs baseline | us / skipped win. | "
                  "baseline / this | resume (model) s, frames x FRAME_MS | frames after, all reps |")
        md.append("|" + "---|" * 19)
        for wl in workloads:
            base = by.get((wl, "baseline", 1))
            bd = base["derived"] if base else {}
            for eng in ENGINES:
                r = by.get((wl, eng, 1))
                if not r:
                    continue
                d = r["derived"]
                allreps = "/".join(str(by[(wl, eng, k)]["derived"]["framesAfter"])
                                   for k in reps if (wl, eng, k) in by)
                md.append("| " + " | ".join([
                    wl, ENGINE_LABEL[eng], str(d["framesBefore"]), str(d["framesAfter"]),
                    ratio(d["framesAfter"], bd.get("framesAfter")),
                    str(d["limitLiveWindows"]), str(d["limitPacked"]),
                    fmt(d["presentBytesAfter"] / 2**20), str(d["collapsed"]),
                    str(d["alreadyHuge"]), str(d["skipped"]), causes(r["engine"], d["outcomes"]),
                    fmt(d["best_collapseMs"]),
                    fmt(d["best_perCollapsedMs"], 2),
                    ratio(d["best_perCollapsedMs"], bd.get("best_perCollapsedMs")),
                    fmt(d["best_perSkippedUs"], 1),
                    ratio(bd.get("best_perSkippedUs"), d["best_perSkippedUs"], 1),
                    fmt(d["modelResumeMsAfter"] / 1000, 2), allreps]) + " |")
        md.append("")
        md.extend(pack_table(workloads, by))
        # targets
        md.append("### Targets of the collapse engines, module vs baseline\n")
        for wl in workloads:
            k, b = by.get((wl, "kmod", 1)), by.get((wl, "baseline", 1))
            if not k or not b:
                continue
            kd, bd = k["derived"], b["derived"]
            t1 = kd["framesAfter"] == kd["limitLiveWindows"]
            pc = (kd["best_perCollapsedMs"] / bd["best_perCollapsedMs"]
                  if kd["best_perCollapsedMs"] and bd["best_perCollapsedMs"] else None)
            # the baseline counts MADV_COLLAPSE of an already PMD-mapped
            # window (a cheap no-op success) as collapsed: per-window times
            # are only comparable where the module found nothing already huge
            noop = kd["alreadyHuge"] > 0
            ps = (bd["best_perSkippedUs"] / kd["best_perSkippedUs"]
                  if kd["best_perSkippedUs"] and bd["best_perSkippedUs"] else None)
            rep_ok = all(len({by[(wl, e, x)]["derived"][f] for x in reps if (wl, e, x) in by}) == 1
                         for e in ENGINES6 for f in ("framesAfter",))
            rep_before = all(len({by[(wl, e, x)]["derived"]["framesBefore"] for x in reps
                                  if (wl, e, x) in by}) == 1 for e in ENGINES6)
            md.append(f"- **{wl}**: frames after = live-window limit: "
                      f"{'met' if t1 else 'MISSED'} ({kd['framesAfter']} vs {kd['limitLiveWindows']}); "
                      f"time per collapsed window {fmt(pc, 2) if pc else '-'}x baseline "
                      f"({'not comparable: ' + str(kd['alreadyHuge']) + ' of the baseline' + chr(39) + 's collapsed windows were already huge, no-op successes' if noop else 'met' if pc and pc <= 1.1 else 'MISSED' if pc else 'n/a'}, target <= 1.1x); "
                      f"skipped window {fmt(ps, 1) if ps else '-'}x cheaper "
                      f"({'met' if ps and ps >= 20 else 'MISSED' if ps else 'n/a: baseline skipped none'}; {kd.get('perSkippedMethod')}), "
                      f"target >= 20x); frames after identical over {len(reps)} rep(s): "
                      f"{'yes' if rep_ok else 'NO'}; frames before identical: "
                      f"{'yes' if rep_before else 'NO'}")
        md.append("")
        md.extend(targets7(workloads, by))
        md.extend(reproducibility(workloads, reps, by))
        charts(rep_dir, kernel, workloads, by)
        md.append(f"![frames]({kernel}-frames.png)\n\n![timing]({kernel}-timing.png)\n")
        if sweep:
            md.extend(sweep_table(sweep))
            sweep_chart(rep_dir, kernel, sweep)
            md.append(f"![min_fill sweep]({kernel}-minfill.png)\n")
    if not allk:
        sys.exit(1)
    with open(os.path.join(rep_dir, "bench.json"), "w") as f:
        json.dump(allk, f, indent=1)
    with open(os.path.join(rep_dir, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    print(f"report: {rep_dir}/results.md, bench.json, *.png")


def pack_table(workloads, by):
    """The module's three modes side by side: pack's figures."""
    if not any(e in ("pack", "auto") for (_, e, _) in by):
        return []
    out = ["### Module modes: collapse, pack, auto\n",
           "Repetition 1, except times (best of the repetitions). *Moved* = pages "
           "migrated, *dest. frames* = fresh 2 MiB blocks written, *left* = pages "
           "left in place by cause (dense: already in a frame this process uses "
           "densely; mlocked: mlock(2)ed while vm.compact_unevictable_allowed is 0). *us / live page* = the whole operation's time / the live pages "
           "of the range (every one is in a consolidated frame afterwards); limits as "
           "pack's targets set them: frames <= 1.05 x packed + 1, dest. frames <= "
           "ceil(moved / 512) + 1.\n",
           "| workload | mode | frames before | frames after | packed | limit 1.05xpacked+1 | "
           "present MiB before | present MiB after | after / before | moved | left: by cause | "
           "dest. frames | limit | MiB copied | alloc. failed | collapsed | ms | us / live page | "
           "vs collapse |",
           "|" + "---|" * 19]
    for wl in workloads:
        kc = by.get((wl, "kmod", 1))
        kcd = kc["derived"] if kc else {}
        for eng in MODES:
            r = by.get((wl, eng, 1))
            if not r:
                continue
            d = r["derived"]
            left = ", ".join(f"{n} {d[k]}" for k, n in (
                ("packLeftDense", "dense"), ("packLeftPinned", "pinned"),
                ("packLeftShared", "shared"), ("packLeftThp", "THP"),
                ("packLeftBusy", "busy"), ("packLeftLocked", "mlocked"))
                if d.get(k)) or "-"
            out.append("| " + " | ".join([
                wl, eng if eng != "kmod" else "collapse", str(d["framesBefore"]),
                str(d["framesAfter"]), str(d["limitPacked"]), fmt(d["limitPack"], 1),
                fmt(d["presentBytesBefore"] / 2**20, 2), fmt(d["presentBytesAfter"] / 2**20, 2),
                f"{d['presentBytesAfter'] / d['presentBytesBefore']:.3f}"
                if d["presentBytesBefore"] else "-",
                str(d["packMoved"]), left, str(d["packDestFrames"]),
                str(d["limitDestFrames"]) if eng != "kmod" else "-",
                fmt(d["packBytesCopied"] / 2**20, 2), str(d["packAllocFailed"]),
                str(d["collapsed"]), fmt(d["best_collapseMs"]), fmt(d["best_perLivePageUs"], 2),
                ratio(d["best_perLivePageUs"], kcd.get("best_perLivePageUs"))]) + " |")
    out.append("")
    return out


def targets7(workloads, by):
    """Pack's targets, per workload, for pack and auto."""
    if not any(e in ("pack", "auto") for (_, e, _) in by):
        return []
    out = ["### Targets of pack and auto\n"]
    mark = lambda ok: "met" if ok else "MISSED"
    for wl in workloads:
        kc = by.get((wl, "kmod", 1))
        parts = []
        for eng in ("pack", "auto"):
            r = by.get((wl, eng, 1))
            if not r:
                continue
            d = r["derived"]
            p = []
            if wl in ("gc5", "gc25"):
                p.append(f"frames after {d['framesAfter']} <= {d['limitPack']:.1f}: "
                         f"{mark(d['framesAfter'] <= d['limitPack'])}")
            else:
                p.append(f"frames after {d['framesAfter']} (limit {d['limitPack']:.1f}, "
                         "not a target here)")
            pb = d["presentBytesAfter"] / d["presentBytesBefore"] if d["presentBytesBefore"] else 0
            p.append(f"present after / before {pb:.3f} <= 1.01: {mark(pb <= 1.01)}")
            p.append(f"dest. frames {d['packDestFrames']} <= {d['limitDestFrames']}: "
                     f"{mark(d['packDestFrames'] <= d['limitDestFrames'])}")
            if wl in ("gc5", "gc25") and kc:
                a, c = d["best_perLivePageUs"], kc["derived"]["best_perLivePageUs"]
                if a is not None and c:
                    p.append(f"us / live page {a:.2f} vs collapse {c:.2f} "
                             f"({a / c:.2f}x): {mark(a <= c)}")
            parts.append(f"{eng}: " + "; ".join(p))
        if parts:
            out.append(f"- **{wl}**: " + ". ".join(parts))
    out.append("")
    return out


def reproducibility(workloads, reps, by):
    """Frame counts compared across the repetitions (same seed, same boot)."""
    out = [f"### Reproducibility: {len(reps)} repetition(s), same seed, same boot\n"]
    if len(reps) < 2:
        return out + ["One repetition: nothing to compare (run with reps=2).\n"]
    diff_after, diff_before, n = [], [], 0
    for wl in workloads:
        for e in ENGINES:
            rr = [by[(wl, e, x)]["derived"] for x in reps if (wl, e, x) in by]
            if len(rr) < 2:
                continue
            n += 1
            after = [d["framesAfter"] for d in rr]
            before = [d["framesBefore"] for d in rr]
            if len(set(after)) > 1:
                diff_after.append(f"{wl}/{ENGINE_LABEL[e]} " + "/".join(map(str, after)))
            if len(set(before)) > 1:
                diff_before.append(f"{wl}/{ENGINE_LABEL[e]} " + "/".join(map(str, before)))
    if diff_after:
        out.append(f"- Frames after: **NOT identical** on {len(diff_after)} of {n} "
                   f"workload/engine pairs: " + "; ".join(diff_after))
    else:
        out.append(f"- Frames after: **identical** across the repetitions on all {n} "
                   "workload/engine pairs.")
    out.append("- Frames before: " + ("identical on all pairs." if not diff_before else
               f"differ on {len(diff_before)} of {n} pairs (the physical placement "
               "depends on the guest allocator's state; live windows and live pages, "
               "hence the limits, do not): " + "; ".join(diff_before)))
    out.append("")
    return out


def sweep_table(sweep):
    out = ["### min_fill sweep (module; repetition 1, a fresh copy per value)\n",
           "`kcollapsectl collapse --min-fill N`: windows with fewer than N present "
           "4 KiB pages are left as they are. *Live MiB* = present anonymous bytes "
           "before the collapse; *bloat* = present bytes after / live bytes. Frames "
           "after trade against bloat: a window left alone keeps its pages in "
           "however many frames they were scattered over.\n",
           "| workload | min_fill | frames before | frames after | live win. | packed | "
           "live MiB | present MiB after | bloat | collapsed | skipped sparse | "
           "skipped empty | collapse ms | resume (model) s |",
           "|" + "---|" * 14]
    for r in sorted(sweep, key=lambda x: (x["workload"], x["minFill"])):
        d = r["derived"]
        o = d["outcomes"]
        out.append("| " + " | ".join([
            r["workload"], str(r["minFill"]), str(d["framesBefore"]), str(d["framesAfter"]),
            str(d["limitLiveWindows"]), str(d["limitPacked"]),
            fmt(d["presentBytesBefore"] / 2**20), fmt(d["presentBytesAfter"] / 2**20),
            f"{d['presentBytesAfter'] / d['presentBytesBefore']:.1f}x"
            if d["presentBytesBefore"] else "-",
            str(d["collapsed"]), str(o.get("skippedSparse", 0)), str(o.get("skippedEmpty", 0)),
            fmt(d["collapseMs"]), fmt(d["modelResumeMsAfter"] / 1000, 2)]) + " |")
    out.append("")
    return out


def sweep_chart(rep_dir, kernel, sweep):
    if not shutil.which("gnuplot"):
        return
    wls = []
    for r in sweep:
        if r["workload"] not in wls:
            wls.append(r["workload"])
    plots_f, plots_b = [], []
    for wl in wls:
        dat = os.path.join(rep_dir, f"{kernel}-minfill-{wl}.dat")
        with open(dat, "w") as f:
            f.write("# min_fill framesAfter presentMiBAfter liveWindows liveMiB\n")
            for r in sorted((x for x in sweep if x["workload"] == wl), key=lambda x: x["minFill"]):
                d = r["derived"]
                f.write(f"{r['minFill']} {d['framesAfter']} {d['presentBytesAfter'] / 2**20:.2f} "
                        f"{d['limitLiveWindows']} {d['presentBytesBefore'] / 2**20:.2f}\n")
        plots_f.append(f"'{dat}' using 1:2 with linespoints title '{wl}: frames after', "
                       f"'{dat}' using 1:4 with lines dashtype 2 title '{wl}: live windows'")
        plots_b.append(f"'{dat}' using 1:3 with linespoints title '{wl}: present MiB after', "
                       f"'{dat}' using 1:5 with lines dashtype 2 title '{wl}: live MiB'")
    gp = f"""
set terminal pngcairo size 1000,460 noenhanced font ',10'
set output '{rep_dir}/{kernel}-minfill.png'
set multiplot layout 1,2 title '{kernel}: module, min_fill sweep (frames vs bloat)'
set logscale x 2
set xlabel 'min_fill (present pages a window needs)'
set grid
set key below
set title 'distinct 2 MiB frames after'
set yrange [0:*]
plot {", ".join(plots_f)}
set title 'present anon MiB after'
set logscale y
set yrange [*:*]
plot {", ".join(plots_b)}
unset multiplot
"""
    p = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if p.returncode:
        print("report: gnuplot failed: " + p.stderr, file=sys.stderr)


def charts(rep_dir, kernel, workloads, by):
    if not shutil.which("gnuplot"):
        print("report: gnuplot missing (apt-get install gnuplot-nox): no charts", file=sys.stderr)
        return
    dat = os.path.join(rep_dir, f"{kernel}-frames.dat")
    with open(dat, "w") as f:
        f.write("# workload before baseline userspace kmod livewin packed pack auto\n")
        for wl in workloads:
            g = lambda e, k="framesAfter": by[(wl, e, 1)]["derived"][k] if (wl, e, 1) in by else 0
            f.write(f"{wl} {g('baseline', 'framesBefore')} {g('baseline')} {g('userspace')} "
                    f"{g('kmod')} {g('kmod', 'limitLiveWindows')} {g('kmod', 'limitPacked')} "
                    f"{g('pack')} {g('auto')}\n")
    tdat = os.path.join(rep_dir, f"{kernel}-timing.dat")
    with open(tdat, "w") as f:
        f.write("# workload bc uc kc bs us ks; us per live page: b kc pack auto\n")
        for wl in workloads:
            def g(e, k):
                v = by[(wl, e, 1)]["derived"][k] if (wl, e, 1) in by else None
                return "NaN" if v is None else f"{v:.4f}"
            f.write(f"{wl} {g('baseline', 'best_perCollapsedMs')} {g('userspace', 'best_perCollapsedMs')} "
                    f"{g('kmod', 'best_perCollapsedMs')} {g('baseline', 'best_perSkippedUs')} "
                    f"{g('userspace', 'best_perSkippedUs')} {g('kmod', 'best_perSkippedUs')} "
                    f"{g('baseline', 'best_perLivePageUs')} {g('kmod', 'best_perLivePageUs')} "
                    f"{g('pack', 'best_perLivePageUs')} {g('auto', 'best_perLivePageUs')}\n")
    # runs from before pack and auto existed: no empty histogram columns
    has = {e: any((wl, e, 1) in by for wl in workloads) for e in ("pack", "auto")}
    perpage_modes = "".join(f", '' using {c} title 'module, {e}'"
                            for c, e in ((10, "pack"), (11, "auto")) if has[e])
    frames_modes = "".join(f", '' using {c} title 'after: module, {e}'"
                           for c, e in ((8, "pack"), (9, "auto")) if has[e])
    gp = f"""
set terminal pngcairo size 1000,560 noenhanced font ',10'
set output '{rep_dir}/{kernel}-frames.png'
set title '{kernel}: distinct 2 MiB frames per workload (log scale)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [1:*]
set ylabel 'frames'
set key outside right
set grid ytics
plot '{dat}' using 2:xtic(1) title 'before', '' using 3 title 'after: in-process baseline', \
     '' using 4 title 'after: fallback engine', '' using 5 title 'after: module, collapse', \
     {frames_modes.lstrip(", ")}{", " if frames_modes else ""}\
     '' using 6 title 'limit: windows with live pages', '' using 7 title 'limit: ceil(live pages/512)'
set terminal pngcairo size 1400,560 noenhanced font ',10'
set output '{rep_dir}/{kernel}-timing.png'
set multiplot layout 1,3 title '{kernel}: cost per window and per live page (best of the repetitions)'
set title 'ms per collapsed window'
set ylabel 'ms'
unset logscale y
set yrange [0:*]
set key inside top left
plot '{tdat}' using 2:xtic(1) title 'baseline', '' using 3 title 'fallback', '' using 4 title 'module'
set title 'us per skipped window (log)'
set ylabel 'us'
set logscale y
set yrange [*:*]
plot '{tdat}' using 5:xtic(1) title 'baseline (failed MADV_COLLAPSE)', '' using 6 title 'fallback (classified)', '' using 7 title 'module (classified)'
set title 'us per live page, whole operation (log)'
plot '{tdat}' using 8:xtic(1) title 'baseline', '' using 9 title 'module, collapse'{perpage_modes}
unset multiplot
"""
    p = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if p.returncode:
        print("report: gnuplot failed: " + p.stderr, file=sys.stderr)


if __name__ == "__main__":
    main()
