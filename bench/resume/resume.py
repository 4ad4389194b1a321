#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""resume.py: one lazy restore of a prepared guest, measured.

    resume.py --kernel VMLINUZ --initrd INITRD --out DIR --hugetlbfs DIR
              [--args "kc.args for the guest"] [--mem MIB] [--latency-ms 20]
              [--window-s 30] [--prepare-timeout-s 900] [--answer-timeout-s 600]

Boots the source guest (QEMU TCG, RAM on 2 MiB hugetlbfs pages, share=on),
waits for its run-all.sh to print "KC-RESUME-PREPARED {json}" on ttyS1,
then migrates it with postcopy to a destination QEMU started with
-incoming defer on the same kind of RAM: postcopy starts at once, the
background push is capped (max-bandwidth / max-postcopy-bandwidth), and the
migration stream runs through a proxy in this process that delays every
chunk of the return path (the destination's page requests) by --latency-ms.
Once the destination runs, one request line goes to the workload over the
destination's ttyS2 (a unix socket here); the workload answers on it.

Counts come from QEMU's own trace events (-trace, log backend, with
-msg timestamp=on): postcopy_ram_fault_thread_request on the destination
(one line per 2 MiB page it asks the source for), migrate_handle_rp_req_pages
on the source (one per request it receives), postcopy_place_page on the
destination (every page placed, requested or pushed in the background).
Writes DIR/result.json and prints it as one line "RESUME {json}".
Exit status 0 when the measurement was made, 1 otherwise.
"""
import argparse
import heapq
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

TRACE_EVENTS = [
    "postcopy_ram_fault_thread_request",
    "migrate_handle_rp_req_pages",
    "postcopy_place_page",
    "postcopy_place_page_zero",
    "loadvm_postcopy_handle_run_bh",
    "postcopy_start",
]

BOOT_APPEND = (
    "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1"
    " rcupdate.rcu_cpu_stall_timeout=120 8250.nr_uarts=3 i8042.noaux"
    " i8042.nokbd watchdog_thresh=60 kc.suite=resume"
)


class Hmp:
    """The human monitor over a unix socket: a command, then its text up to
    the next prompt. Plain text: no QMP/JSON framing."""

    PROMPT = b"(qemu) "

    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.s.settimeout(timeout)
        self._read_prompt()

    def _read_prompt(self):
        buf = b""
        while not buf.endswith(self.PROMPT):
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("monitor closed")
            buf += chunk
        return buf[: -len(self.PROMPT)]

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        out = self._read_prompt().decode(errors="replace")
        # the monitor's readline echoes the command, redrawn per key, up to
        # the first newline; the command's output follows
        out = out.split("\n", 1)[1] if "\n" in out else ""
        out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out).replace("\r", "")
        return "\n".join(ln for ln in out.split("\n") if ln.strip())


class DelayProxy:
    """Forwards one TCP connection (source -> proxy -> destination). Bytes from
    the source go on at once; bytes coming back (the return path: page
    requests) are each held for `delay` seconds, pipelined: a chunk read at t
    is written at t + delay, in order. Only bytes are forwarded, none parsed."""

    def __init__(self, dst_port, delay):
        self.dst_port = dst_port
        self.delay = delay
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.port = self.ls.getsockname()[1]
        self.back_chunks = 0
        self.back_bytes = 0
        self.fwd_bytes = 0
        self.queue = []
        self.seq = 0
        self.cv = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        src, _ = self.ls.accept()
        dst = socket.create_connection(("127.0.0.1", self.dst_port))
        for s in (src, dst):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=self._forward, args=(src, dst), daemon=True).start()
        threading.Thread(target=self._writer, args=(src,), daemon=True).start()
        self._back(dst)

    def _forward(self, src, dst):
        try:
            while True:
                data = src.recv(1 << 20)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                self.fwd_bytes += len(data)
                dst.sendall(data)
        except OSError:
            return  # a QEMU went away: the run is over

    def _back(self, dst):
        while True:
            try:
                data = dst.recv(65536)
            except OSError:
                data = b""
            with self.cv:
                self.seq += 1
                heapq.heappush(self.queue, (time.monotonic() + self.delay, self.seq, data))
                self.cv.notify()
            if not data:
                return
            self.back_chunks += 1
            self.back_bytes += len(data)

    def _writer(self, src):
        while True:
            with self.cv:
                while not self.queue:
                    self.cv.wait()
                due, _, data = self.queue[0]
                now = time.monotonic()
                if due > now:
                    self.cv.wait(due - now)
                    continue
                heapq.heappop(self.queue)
            try:
                if not data:
                    src.shutdown(socket.SHUT_WR)
                    return
                src.sendall(data)
            except OSError:
                return  # a QEMU went away: the run is over


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def qemu_cmd(a, side, out):
    mem = f"{a.mem}M"
    if side == "src" and a.src_ram == "anon":
        ram = ["-object", f"memory-backend-ram,id=mem,size={mem}"]
    else:
        ram = ["-object", f"memory-backend-file,id=mem,size={mem},"
               f"mem-path={a.hugetlbfs},share={a.share}"]
    cmd = [
        "qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max",
        "-smp", str(a.smp), "-m", mem, *ram,
        "-machine", "pc,memory-backend=mem",
        "-nographic", "-no-reboot", "-nodefaults",
        "-kernel", a.kernel, "-initrd", a.initrd,
        "-append", BOOT_APPEND + (f' kc.args="{a.args}"' if a.args else ""),
        "-serial", f"file:{out}/{side}-console.log",
        "-serial", f"file:{out}/{side}-results.log",
        "-monitor", f"unix:{out}/{side}.mon,server=on,wait=off",
        "-trace", f"events={out}/trace-events", "-D", f"{out}/{side}-trace.log",
        "-msg", "timestamp=on",
    ]
    if side == "dst":
        cmd += ["-serial", f"unix:{out}/req.sock,server=on,wait=off",
                "-incoming", "defer"]
    else:
        cmd += ["-serial", "null"]
    return cmd


# "PID@SEC.USEC:event args" (log backend with -msg timestamp=on)
TRACE_RE = re.compile(r"^\d+@(\d+\.\d+):(\w+) ?(.*)$")


def read_trace(path):
    events = []
    with open(path, errors="replace") as f:
        for line in f:
            m = TRACE_RE.match(line.strip())
            if m:
                events.append((float(m.group(1)), m.group(2), m.group(3)))
    return events


def wait_for(path, pattern, timeout, alive):
    """The first whole line of `path` matching `pattern` (a regex), or
    None. A line still arriving (no newline yet: a long one crosses the
    serial port for a while) is read again on the next look."""
    deadline = time.time() + timeout
    rx = re.compile(pattern)
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                for line in f:
                    if line.endswith("\n") and rx.search(line):
                        return line.strip()
        if not alive():
            return None
        time.sleep(0.2)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hugetlbfs", required=True)
    p.add_argument("--args", default="")
    p.add_argument("--label", default="")
    p.add_argument("--mem", type=int, default=1536)
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--latency-ms", type=float, default=20.0)
    p.add_argument("--window-s", type=float, default=60.0)
    p.add_argument("--bandwidth", default="10",
                   help="max-bandwidth and max-postcopy-bandwidth, bytes/s (>= 10: less is no limit)")
    # what the harness needs, shown by taking it away (README)
    p.add_argument("--src-ram", choices=("hugetlbfs", "anon"), default="hugetlbfs",
                   help="the source's guest RAM (anon: ordinary memory)")
    p.add_argument("--share", choices=("on", "off"), default="on",
                   help="share= of the hugetlbfs memory backends")
    p.add_argument("--prepare-timeout-s", type=float, default=900)
    p.add_argument("--answer-timeout-s", type=float, default=600)
    a = p.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith((".log", ".mon", ".sock", ".json")):
            os.unlink(os.path.join(out, f))
    with open(f"{out}/trace-events", "w") as f:
        f.write("\n".join(TRACE_EVENTS) + "\n")

    result = {"label": a.label, "args": a.args, "memMiB": a.mem, "smp": a.smp,
              "srcRam": a.src_ram, "share": a.share,
              "latencyMs": a.latency_ms, "windowS": a.window_s,
              "bandwidth": a.bandwidth, "ok": False}
    procs = {}

    def finish(err=None):
        for side, pr in procs.items():
            if pr.poll() is None:
                pr.terminate()
                try:
                    pr.wait(10)
                except subprocess.TimeoutExpired:
                    pr.kill()
                    pr.wait()
        if err:
            result["error"] = err
        with open(f"{out}/result.json", "w") as f:
            json.dump(result, f, indent=1)
        print("RESUME " + json.dumps(result, separators=(",", ":")), flush=True)
        sys.exit(0 if result["ok"] else 1)

    signal.signal(signal.SIGTERM, lambda *_: finish("terminated"))
    for side in ("dst", "src"):
        with open(f"{out}/{side}-qemu.log", "w") as log:
            procs[side] = subprocess.Popen(qemu_cmd(a, side, out), stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT)
    def measure():
        try:
            dmon = Hmp(f"{out}/dst.mon")
            smon = Hmp(f"{out}/src.mon")
        except (OSError, EOFError) as e:
            finish(f"monitor: {e}")

        t0 = time.time()
        line = wait_for(f"{out}/src-results.log", r"KC-RESUME-(PREPARED|FAILED)",
                        a.prepare_timeout_s, lambda: procs["src"].poll() is None)
        result["prepareS"] = round(time.time() - t0, 1)
        if not line or "FAILED" in line:
            finish(f"guest not prepared: {line}")
        result["guest"] = json.loads(line.split(" ", 1)[1])

        dport = free_port()
        for mon in (dmon, smon):
            r = mon.cmd("migrate_set_capability postcopy-ram on")
            if r:
                finish(f"postcopy-ram: {r}")
        # "B": the monitor reads a bare max-bandwidth in MiB/s
        for par in ("max-bandwidth", "max-postcopy-bandwidth"):
            r = smon.cmd(f"migrate_set_parameter {par} {a.bandwidth}B")
            if r:
                finish(f"{par}: {r}")
        result["srcParameters"] = smon.cmd("info migrate_parameters")
        r = dmon.cmd(f"migrate_incoming tcp:127.0.0.1:{dport}")
        if r:
            finish(f"migrate_incoming: {r}")
        proxy = DelayProxy(dport, a.latency_ms / 1000.0)
        req = socket.socket(socket.AF_UNIX)
        req.connect(f"{out}/req.sock")

        t_migrate = time.time()
        r = smon.cmd(f"migrate -d tcp:127.0.0.1:{proxy.port}")
        if r:
            finish(f"migrate: {r}")
        r = smon.cmd("migrate_start_postcopy")
        if r:
            finish(f"migrate_start_postcopy: {r}")
        # The destination runs once the device state is in: then the request.
        deadline = time.time() + 120
        while "running" not in dmon.cmd("info status"):
            if time.time() > deadline or procs["dst"].poll() is not None:
                with open(f"{out}/dst-qemu.log", errors="replace") as f:
                    why = " | ".join(f.read().strip().split("\n")[-3:])
                finish(f"destination never ran: {why}; source: "
                       + smon.cmd("info migrate").replace("\n", "; "))
            time.sleep(0.01)
        t_run = time.time()
        req.sendall(b"request\n")
        t_sent = time.time()
        req.settimeout(a.answer_timeout_s)
        buf = b""
        try:
            while b"\n" not in buf:
                chunk = req.recv(4096)
                if not chunk:
                    finish("request socket closed")
                buf += chunk
        except socket.timeout:
            finish("no answer within %d s" % a.answer_timeout_s)
        t_answer = time.time()
        result["answer"] = buf.split(b"\n", 1)[0].decode(errors="replace")
        # the window is counted from the destination running, whenever the
        # answer came
        t_window = t_run + a.window_s
        rest = t_window - time.time()
        if rest > 0:
            time.sleep(rest)
        result["srcInfoMigrate"] = smon.cmd("info migrate")
        for side, pr in procs.items():
            if pr.poll() is None:
                pr.terminate()
                pr.wait(30)
        del procs["src"], procs["dst"]

        dtr = read_trace(f"{out}/dst-trace.log")
        str_ = read_trace(f"{out}/src-trace.log")

        def count(events, name, until, distinct=False):
            sel = [e for e in events if e[1] == name and e[0] <= until]
            if not distinct:
                return len(sel)
            return len({re.sub(r"HVA=\S+ ", "", e[2]).split(" pid=")[0] for e in sel})

        def placed(until):
            return len({e[2] for e in dtr if e[0] <= until and
                        e[1] in ("postcopy_place_page", "postcopy_place_page_zero")})

        def req_frames(until):
            """Distinct 2 MiB guest frames requested: with a pc machine and
            less than 3 GiB of RAM, RAM block offset = guest-physical."""
            return {int(m.group(1), 16) >> 21 for e in dtr
                    if e[1] == "postcopy_ram_fault_thread_request" and e[0] <= until
                    for m in [re.search(r"offset=(0x[0-9a-f]+)", e[2])] if m}

        dreq = [e for e in dtr if e[1] == "postcopy_ram_fault_thread_request"]
        if not dreq:
            finish("no page requests traced on the destination (trace backend?)")
        result.update({
            "ok": True,
            "answerMs": round((t_answer - t_sent) * 1000),
            "runToAnswerMs": round((t_answer - t_run) * 1000),
            "migrateToRunMs": round((t_run - t_migrate) * 1000),
            # requests the destination sent, up to the answer / the window end
            "requestsToAnswer": count(dtr, "postcopy_ram_fault_thread_request", t_answer),
            "pagesToAnswer": count(dtr, "postcopy_ram_fault_thread_request", t_answer, True),
            "requestsBeforeRequest": count(dtr, "postcopy_ram_fault_thread_request", t_sent),
            "requestsWindow": count(dtr, "postcopy_ram_fault_thread_request", t_window),
            "requestsAll": len(dreq),
            "pagesWindow": count(dtr, "postcopy_ram_fault_thread_request", t_window, True),
            # what the source received (each held --latency-ms on the way)
            "srcRequestsToAnswer": count(str_, "migrate_handle_rp_req_pages", t_answer),
            "srcRequestsWindow": count(str_, "migrate_handle_rp_req_pages", t_window),
            "srcRequestsAll": count(str_, "migrate_handle_rp_req_pages", float("inf")),
            # every page placed on the destination: requested or pushed
            "placedToAnswer": placed(t_answer),
            "placedWindow": placed(t_window),
            "proxyReturnChunks": proxy.back_chunks,
            "proxyReturnBytes": proxy.back_bytes,
            "proxyForwardBytes": proxy.fwd_bytes,
        })
        # The workload's heap frames (guest's pagemap after preparing):
        # which requested pages were the heap's, which the rest (kernel,
        # page tables, the workload's code and stack)
        hf = (result["guest"].get("heapFrames") or {}).get("frames")
        if hf is not None and a.mem < 3072:
            heap = {int(x, 16) for x in hf}
            got = req_frames(t_answer)
            result.update({
                "heapFrames": len(heap),
                "heapPagesToAnswer": len(got & heap),
                "otherPagesToAnswer": len(got - heap),
                "heapPagesWindow": len(req_frames(t_window) & heap),
            })
        finish()

    # whatever goes wrong, no QEMU outlives this process (they hold the
    # hugetlb pages the caller gives back)
    try:
        measure()
    except Exception as e:  # noqa: BLE001 (reported in result.json)
        why = ""
        for side in ("dst", "src"):
            with open(f"{out}/{side}-qemu.log", errors="replace") as f:
                last = [ln for ln in f.read().strip().split("\n") if ln][-2:]
            if last:
                why += f"; {side} QEMU: " + " | ".join(last)
        finish(f"{type(e).__name__}: {e}{why}")


if __name__ == "__main__":
    main()
