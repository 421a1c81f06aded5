# SPDX-License-Identifier: MIT
"""The logs table of the benchmark: one service writing 100-byte lines as
fast as it can, relayed by grace into /dev/null, beside the same workload
piped straight into a reader and relayed by Debian's supervisord, as one
Markdown table: throughput, throughput against the direct pipe, and the
relay's own CPU time per GB.

bench.py calls run() after the services table, or alone with --logs-only:
  bench.py [--logs-only] GRACE GRACE_STATIC

The workload is bench/spew.c: it writes SIZE bytes of lines in 64 KiB
chunks of whole lines, then reports its own CPU and wall time in a file,
so that the relay's CPU time can be told apart from the writer's.  Every
process here runs as a plain process: no namespace, root not needed."""

import contextlib
import datetime
import os
import select
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench import (TIMEOUT, Failure, build_workload, machine, pinned,
                   progress, ratio, version, wait_until)
from services import SUPERVISORD, descendants, package_version, tail

# How much of everything; the report prints these.  1 GB is 10^9 bytes.
SIZE = 10**9
# supervisord copies its programs' output in reads of up to 128 KiB and
# frames no lines: it is no slower than grace, and gets the same size.
SUPERVISORD_SIZE = SIZE
LINE = 100
RUNS = 3
GOAL = 0.8  # grace's throughput against the direct pipe's, at least
CHECK_SIZE = 10**6  # the output checked line by line before timing
NAMES = ("grace", "grace (dynamic)", "direct pipe", "supervisord")


def cpu(rusage):
    return rusage.ru_utime + rusage.ru_stime


def read_report(path):
    """spew's report: {"user": s, "system": s, "wall": s}."""
    try:
        words = Path(path).read_text().split()
        return {key: float(value) for key, value in
                zip(words[0::2], words[1::2], strict=True)}
    except (OSError, ValueError) as e:
        raise Failure(f"read spew's report {path}: {e}") from None


class Procs:
    """Processes started for one measure, each watched through a pidfd.  A
    context manager: leaving it kills whatever is left of them and of the
    processes below them."""

    def __init__(self):
        self.running = {}  # pid -> (Popen, pidfd)

    def start(self, argv, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.running[proc.pid] = proc, os.pidfd_open(proc.pid)
        return proc

    def wait(self, proc, timeout=TIMEOUT):
        """Waits for PROC to exit and reaps it: (the time.monotonic() it
        exited, its exit status, its rusage, which counts the children it
        reaped)."""
        fd = self.running[proc.pid][1]
        if not select.select([fd], [], [], timeout)[0]:
            raise Failure(f"see {proc.args[0]} exit within {timeout:.0f} s")
        ended = time.monotonic()
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        os.close(fd)
        del self.running[proc.pid]
        return ended, proc.returncode, rusage

    def signal(self, proc, sig):
        signal.pidfd_send_signal(self.running[proc.pid][1], sig)

    def close(self):
        for pid, (proc, fd) in self.running.items():
            for p in reversed(descendants(pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)
            proc.wait()
            os.close(fd)
        self.running = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_status(what, status, output=None):
    if status != 0:
        seen = f" ({tail(output)})" if output else ""
        raise Failure(f"run {what}: it exited with status {status}{seen}")


def measure_direct(spew, work):
    """`spew SIZE REPORT | spew --read`: (MB/s from starting the pair to
    both ending, the reader's CPU seconds)."""
    report = work / "report"
    with Procs() as procs:
        r, w = os.pipe2(os.O_CLOEXEC)
        try:
            t0 = time.monotonic()
            writer = procs.start([spew, str(SIZE), str(report)], stdout=w)
            reader = procs.start([spew, "--read"], stdin=r)
        finally:
            os.close(r)
            os.close(w)
        ended, status, _ = procs.wait(writer)
        check_status("spew (the direct pipe's writer)", status)
        reader_ended, status, rusage = procs.wait(reader)
        check_status("spew --read (the direct pipe's reader)", status)
    read_report(report)
    return SIZE / (max(ended, reader_ended) - t0) / 1e6, cpu(rusage)


def measure_grace(binary, spew, work):
    """`grace --service 'spew=spew SIZE REPORT'`, its stdout to /dev/null:
    (MB/s from its start to its exit, its CPU seconds without spew's)."""
    report, errors = work / "report", work / "stderr"
    with Procs() as procs, open(errors, "wb") as err:
        t0 = time.monotonic()
        proc = procs.start([binary, "--service", f"spew={spew} {SIZE} "
                            f"{report}"], stdout=subprocess.DEVNULL,
                           stderr=err)
        ended, status, rusage = procs.wait(proc)
    check_status(binary, status, errors)
    spewed = read_report(report)
    return (SIZE / (ended - t0) / 1e6,
            cpu(rusage) - spewed["user"] - spewed["system"])


def check_grace(binary, spew, work):
    """Runs grace with a small size into a file and checks that every line
    came out whole and in order, so that the timed runs into /dev/null
    time a relay that loses nothing."""
    out, errors = work / "stdout", work / "stderr"
    with Procs() as procs, open(out, "wb") as o, open(errors, "wb") as e:
        proc = procs.start([binary, "--service", f"spew={spew} "
                            f"{CHECK_SIZE} {work / 'report'}"],
                           stdout=o, stderr=e)
        _, status, _ = procs.wait(proc)
    check_status(binary, status, errors)
    lines = out.read_bytes().split(b"\n")
    want = CHECK_SIZE // LINE
    numbers = [line.removeprefix(b"spew | ")[:10] for line in lines[:-1]]
    if (lines[-1] != b"" or len(numbers) != want or
            numbers != [b"%010d" % n for n in range(1, want + 1)]):
        raise Failure(f"see {binary} relay {want} lines of spew whole and "
                      f"in order: {len(lines) - 1} lines came out, in "
                      f"{out}")


def setup_supervisord(work, spew, size):
    """One [program:spew] whose output supervisord writes to its own
    stdout and stderr, as in a container, never rotated; it runs once
    (startsecs=0: it is RUNNING as soon as it started)."""
    conf = work / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nlogfile={work}/supervisord.log\n"
        f"pidfile={work}/supervisord.pid\nchildlogdir={work}\n\n"
        f"[program:spew]\ncommand={spew} {size} "
        f"{work / 'report'}\n"
        "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\n"
        "stderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\n"
        "autorestart=false\nstartsecs=0\n")
    return [SUPERVISORD, "-n", "-c", str(conf)]


def measure_supervisord(spew, work, size):
    """supervisord running `spew SIZE REPORT` once, its stdout to
    /dev/null: (MB/s over spew's own wall time, from its start to its last
    write, supervisord's CPU seconds without spew's, its start and stop
    included).  It does not exit when its one program has: the report's
    appearing marks the end, and SIGTERM then stops it."""
    report, errors = work / "report", work / "stderr"
    argv = setup_supervisord(work, spew, size)
    with Procs() as procs, open(errors, "wb") as err:
        proc = procs.start(argv, stdout=subprocess.DEVNULL, stderr=err)

        def done():
            if proc.poll() is not None:
                raise Failure(f"run supervisord: it exited with status "
                              f"{proc.returncode} ({tail(errors)})")
            return report.exists()

        wait_until(done, "spew's report under supervisord")
        procs.signal(proc, signal.SIGTERM)
        _, status, rusage = procs.wait(proc)
    check_status("supervisord", status, errors)
    spewed = read_report(report)
    return (size / spewed["wall"] / 1e6,
            cpu(rusage) - spewed["user"] - spewed["system"])


def measure_supervisord_relay(spew, work, baseline):
    """measure_supervisord() with SUPERVISORD_SIZE, its CPU seconds less
    those of a run of one line (its Python start and its stop), measured
    right before, so that they count the relay alone: Python's start costs
    about as much as relaying 1 GB does."""
    (work / "idle").mkdir()
    baseline.append(measure_supervisord(spew, work / "idle", LINE)[1])
    rate, spent = measure_supervisord(spew, work, SUPERVISORD_SIZE)
    return rate, spent - baseline[-1]


def run(grace, grace_static):
    """Takes every measurement of the logs table; returns the report."""
    if not os.access(SUPERVISORD, os.X_OK):
        raise Failure(f"find {SUPERVISORD} (Debian package supervisor)")
    started = datetime.datetime.now().astimezone()
    where = machine()
    with tempfile.TemporaryDirectory(prefix="grace-bench-logs.") as d:
        tmp = Path(d)
        spew = build_workload("spew", tmp, static=True)
        runs, baseline = 0, []

        def work():
            nonlocal runs
            runs += 1
            (path := tmp / f"run{runs}").mkdir()
            return path

        measures = {
            "grace": lambda: measure_grace(grace_static, spew, work()),
            "grace (dynamic)": lambda: measure_grace(grace, spew, work()),
            "direct pipe": lambda: measure_direct(spew, work()),
            "supervisord": lambda: measure_supervisord_relay(spew, work(),
                                                             baseline),
        }
        for binary in (grace_static, grace):
            check_grace(binary, spew, work())
        results = {name: [] for name in NAMES}
        # On one CPU: across CPUs every pipe hand-off is a wake-up on the
        # other one, which on a small VM doubles the CPU each process
        # spends per GB, direct pipe included, and swings the ratios
        # from run to run; pinned, the writer fills the pipe and the
        # reader empties it in turn, and the measure is the work done.
        with pinned():
            for i in range(RUNS):
                progress(f"logs: round {i + 1} of {RUNS}")
                for name in NAMES:
                    results[name].append(measures[name]())
    r = {name: (statistics.median(v[0] for v in values),
                statistics.median(v[1] for v in values))
         for name, values in results.items()}
    return report(grace, grace_static, r, statistics.median(baseline),
                  started, where)


def table(rows):
    """Markdown: one row per measure, grace's value, then each other's, with
    its ratio to grace's on the rows that ask for it."""
    out = ["| measure | " + " | ".join(NAMES) + " |",
           "| --- |" + " ---: |" * len(NAMES)]
    for label, fmt, values, compare in rows:
        cells = []
        for name in NAMES:
            v = values.get(name)
            cell = "—" if v is None else fmt.format(v)
            if compare and name != NAMES[0] and v is not None:
                cell += ratio(v, values.get(NAMES[0]))
            cells.append(cell)
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def report(grace, grace_static, r, baseline, started, where):
    """The Markdown report of the medians R, {name: (MB/s, CPU s)}, and
    BASELINE, supervisord's CPU seconds to start and stop."""
    sizes = {name: SIZE for name in NAMES}
    sizes["supervisord"] = SUPERVISORD_SIZE
    direct = r["direct pipe"][0]
    met = "met" if r["grace"][0] >= GOAL * direct else "NOT met"
    lines = [
        "## Logs: grace, a direct pipe, supervisord",
        "",
        f"- date: {started:%Y-%m-%d %H:%M %Z}",
        f"- machine: {where}",
        f"- workload: bench/spew.c writes {LINE}-byte lines (99 characters "
        f"and a newline) with write(2), 655 whole lines (65,500 bytes) a "
        f"write; 1 GB = 10^9 bytes; "
        + ", ".join(f"{name} {size / 1e9:g} GB" for name, size in
                    sizes.items()),
        f"- grace: `{version(grace_static)}`: {grace_static} (static), "
        f"{grace} (dynamic); `grace --service 'spew=SPEW {SIZE} REPORT'`, "
        f"a plain process, stdout to /dev/null (each line gains `spew | `), "
        f"stderr to a file; MB/s from its start to its exit; CPU: its "
        f"rusage from wait4, which counts spew's, less spew's own; output "
        f"checked line by line first ({CHECK_SIZE // LINE} lines)",
        f"- direct pipe: `spew {SIZE} REPORT | spew --read` (64 KiB reads, "
        f"discarded); MB/s from starting the pair to both ending; CPU: the "
        f"reader's",
        f"- supervisord: Debian supervisor {package_version('supervisor')}; "
        f"`supervisord -n -c CONF`, stdout to /dev/null, one [program:spew] "
        f"with stdout_logfile=/dev/stdout, stderr_logfile=/dev/stderr, "
        f"*_maxbytes=0, autorestart=false, startsecs=0; it never exits on "
        f"its own, so MB/s is over spew's own wall time (its start to its "
        f"last write) and SIGTERM stops it once spew has reported; CPU: its "
        f"rusage from wait4, less spew's, less that of a run of one line "
        f"(its start and stop: {baseline:.2f} s, median)",
        f"- every process on one CPU (across CPUs, each pipe hand-off wakes "
        f"the other CPU, which here doubles every process's CPU per GB, the "
        f"direct pipe's included, and swings the ratios from run to run)",
        f"- medians of {RUNS} runs each, interleaved; goal: grace at least "
        f"{GOAL}× the direct pipe's throughput: {met}",
        "",
    ]
    rows = [
        ("throughput, MB/s", "{:.0f}", {n: v[0] for n, v in r.items()},
         True),
        ("throughput vs the direct pipe", "×{:.2f}",
         {n: v[0] / direct for n, v in r.items()}, False),
        ("CPU s per GB (the relay's own)", "{:.2f}",
         {n: v[1] / (sizes[n] / 1e9) for n, v in r.items()}, True),
    ]
    return "\n".join(lines) + "\n" + table(rows) + "\n"
