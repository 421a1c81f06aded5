# SPDX-License-Identifier: MIT
"""The jobs table of the benchmark: grace running scheduled jobs beside
Debian's busybox crond, each as PID 1 of a fresh PID namespace, as one
Markdown table: each one's value and its ratio to grace's.

bench.py calls run() after its other tables, or alone with --jobs-only:
  bench.py [--jobs-only] GRACE GRACE_STATIC

Two workloads.  Idle: a crontab of JOBS jobs a minute apart, the first
two minutes away, so none is due while PID 1's memory and context
switches are read over IDLE_SECONDS.  Latency: one job due every second
(grace's seconds field) or every minute (crond has no seconds field),
bench/stamp.c, which appends the time of day it started: how far past its
due second each run began.  crond is sampled CROND_RUNS times (a minute
each; BENCH_CROND_RUNS=0 leaves its latency out)."""

import contextlib
import datetime
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import (PREFIX, TIMEOUT, Failure, build_workload, machine,
                   progress, read_text, table, version, wait_until)

JOBS = 100
IDLE_SECONDS = 30
GRACE_RUNS = 40
CROND_RUNS = int(os.environ.get("BENCH_CROND_RUNS", "2"))
SETTLE_SECONDS = 1.0
BUSYBOX = "/bin/busybox"
NAMES = ("grace", "grace (dynamic)", "busybox crond")


def idle_crontab(now):
    """JOBS daily jobs a minute apart from two minutes after NOW (UTC)."""
    lines = []
    for i in range(JOBS):
        at = now + datetime.timedelta(minutes=2 + i)
        lines.append(f"{at.minute} {at.hour} * * * /bin/true\n")
    return "".join(lines)


class Pid1:
    """ARGV as PID 1 of a fresh PID namespace, in UTC; a context manager
    that kills the namespace when left."""

    def __init__(self, argv, output):
        env = dict(os.environ, TZ="UTC")
        with open(output, "wb") as out:
            self.proc = subprocess.Popen(PREFIX + argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True)
        self.argv, self.output = argv, output
        self.pid = wait_until(lambda: self.child(), f"PID 1 of {argv[0]}")

    def child(self):
        if self.proc.poll() is not None:
            raise Failure(f"run {' '.join(self.argv)}: exited with "
                          f"{self.proc.returncode}: {read_text(self.output)}")
        kids = read_text(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        kids = kids.split()
        if not kids:
            return None
        # unshare forks PID 1; setsid execs in it.
        return int(kids[0]) if os.path.realpath(f"/proc/{kids[0]}/exe") \
            == os.path.realpath(self.argv[0]) else None

    def switches(self):
        total = 0
        for line in read_text(f"/proc/{self.pid}/status").splitlines():
            key, _, value = line.partition(":")
            if key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                total += int(value)
        return total

    def memory(self):
        rss = [int(ln.split()[1]) for ln in
               read_text(f"/proc/{self.pid}/status").splitlines()
               if ln.startswith("VmRSS:")]
        pss = [int(ln.split()[1]) for ln in
               read_text(f"/proc/{self.pid}/smaps_rollup").splitlines()
               if ln.startswith("Pss:")]
        if not rss or not pss:
            raise Failure(f"read the memory of {self.argv[0]}")
        return rss[0], pss[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def crond_dir(work, text):
    """A crontab directory for busybox crond -c: root's crontab is TEXT."""
    tabs = work / "crontabs"
    tabs.mkdir()
    (tabs / "root").write_text(text)
    return tabs


def setups(grace, grace_static, work, text):
    """{name: argv} running the crontab TEXT."""
    crontab = work / "crontab"
    crontab.write_text(text)
    argv = {"grace": [grace_static, "--crontab", str(crontab)],
            "grace (dynamic)": [grace, "--crontab", str(crontab)]}
    if os.access(BUSYBOX, os.X_OK):
        argv["busybox crond"] = [BUSYBOX, "crond", "-f", "-c",
                                 str(crond_dir(work, text))]
    return argv


def measure_idle(grace, grace_static, tmp):
    """{name: (VmRSS kB, Pss kB, context switches over IDLE_SECONDS)}."""
    text = idle_crontab(datetime.datetime.now(datetime.timezone.utc))
    work = tmp / "idle"
    work.mkdir()
    with contextlib.ExitStack() as stack:
        runs = {name: stack.enter_context(Pid1(argv, work / f"{i}.out"))
                for i, (name, argv) in
                enumerate(setups(grace, grace_static, work, text).items())}
        time.sleep(SETTLE_SECONDS)
        before = {name: run.switches() for name, run in runs.items()}
        time.sleep(IDLE_SECONDS)
        return {name: (*run.memory(), run.switches() - before[name])
                for name, run in runs.items()}


def latencies(log, period):
    """Milliseconds past its due time (a multiple of PERIOD s) of each run
    STAMP logged."""
    out = []
    for line in read_text(log).split():
        t = float(line)
        out.append((t - (t // period) * period) * 1000)
    return out


def measure_latency(name, argv, log, runs, period, work):
    """Start latencies of RUNS runs of a job due every PERIOD seconds."""
    with Pid1(argv, work / f"{name.split()[0]}-latency.out"):
        wait_until(lambda: len(read_text(log).split()) >= runs,
                   f"{runs} runs under {name}",
                   timeout=runs * period + TIMEOUT)
    return latencies(log, period)[:runs]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def run(grace, grace_static):
    """Takes every measurement of the jobs table; returns the report."""
    if os.geteuid() != 0:
        raise Failure("create PID namespaces: run as root")
    started = datetime.datetime.now().astimezone()
    where = machine()
    with tempfile.TemporaryDirectory(prefix="grace-bench-jobs.") as d:
        tmp = Path(d)
        stamp = build_workload("stamp", tmp, static=True)
        progress(f"jobs: {JOBS} jobs idle, memory and wake-ups over "
                 f"{IDLE_SECONDS} s")
        idle = measure_idle(grace, grace_static, tmp)
        lat = {}
        progress(f"jobs: start latency of {GRACE_RUNS} seconds-field runs")
        log = tmp / "grace.stamps"
        lat["grace"] = measure_latency(
            "grace", [grace_static, "--cron", f"* * * * * * {stamp} {log}"],
            log, GRACE_RUNS, 1, tmp)
        if os.access(BUSYBOX, os.X_OK) and CROND_RUNS > 0:
            progress(f"jobs: start latency of {CROND_RUNS} busybox crond "
                     f"runs (a minute each)")
            log = tmp / "crond.stamps"
            work = tmp / "crond"
            work.mkdir()
            tabs = crond_dir(work, f"* * * * * {stamp} {log}\n")
            lat["busybox crond"] = measure_latency(
                "busybox crond", [BUSYBOX, "crond", "-f", "-c", str(tabs)],
                log, CROND_RUNS, 60, tmp)
    return report(grace, grace_static, idle, lat, started, where)


def report(grace, grace_static, idle, lat, started, where):
    lines = [
        f"## Scheduled jobs: grace, busybox crond ({JOBS} jobs)",
        "",
        f"- date: {started:%Y-%m-%d %H:%M %Z}",
        f"- machine: {where}",
        f"- grace: `{version(grace_static)}`: {grace_static} (static), "
        f"{grace} (dynamic); `grace --crontab FILE`",
        "- busybox crond: Debian busybox-static; `busybox crond -f -c DIR`"
        if os.access(BUSYBOX, os.X_OK) else "- busybox crond: not installed",
        f"- idle: {JOBS} jobs a minute apart, none due; PID 1 alone, "
        f"{IDLE_SECONDS} s side by side",
        f"- latency: how long after its due second a run's first "
        f"instruction ran; grace {GRACE_RUNS} runs of `* * * * * *`, crond "
        f"{CROND_RUNS} runs of `* * * * *` (no seconds field)",
        "",
    ]
    rows = [("PID 1 VmRSS (kB)", "{:.0f}", {n: v[0] for n, v in idle.items()}),
            ("PID 1 Pss (kB)", "{:.0f}", {n: v[1] for n, v in idle.items()}),
            (f"wake-ups in {IDLE_SECONDS} s", "{:.0f}",
             {n: v[2] for n, v in idle.items()}),
            ("start latency p50 (ms)", "{:.1f}",
             {n: percentile(v, 50) for n, v in lat.items()}),
            ("start latency p99 (ms)", "{:.1f}",
             {n: percentile(v, 99) for n, v in lat.items()})]
    return "\n".join(lines) + "\n" + table(rows, NAMES)
