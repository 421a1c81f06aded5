# SPDX-License-Identifier: MIT
"""The services table of the benchmark: grace running ten services side by
side with Debian's supervisord and s6-svscan running the same ten, each as
PID 1 of a fresh PID namespace, as one Markdown table: every supervisor's
value and its ratio to grace.

bench.py calls run() after its own table, or alone with --services-only:
  bench.py [--services-only] GRACE GRACE_STATIC

Each service is bench/service.c: it sleeps until SIGTERM and then takes
STOP_MS to exit, logging "ready" and "stopped" lines to a file, so the
supervisor's own memory, its idle wake-ups and the way it stops can be told
apart from the services'.  A grace that rejects --services (exit status
125: built before services existed) gets "n/a" and the rest still runs."""

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

from bench import (IDLE_SECONDS, PREFIX, TIMEOUT, Failure, build_workload,
                   children, machine, progress, ratio, read_text,
                   version, wait_until)

# How much of everything; the report prints these.
SERVICES = 10
STOP_MS = 200
STOP_RUNS = 3
# supervisord calls a program RUNNING once it has lived startsecs=1 s; every
# supervisor gets this long after its services are ready before a measure.
SETTLE_SECONDS = 1.5
READY_TIMEOUT = 15.0
# grace's status for bad usage, such as an option it does not know.
GRACE_USAGE = 125

SUPERVISORD = "/usr/bin/supervisord"
S6_SVSCAN = "/usr/bin/s6-svscan"
EXECLINEB = "/usr/bin/execlineb"
NAMES = ("grace", "supervisord", "s6-svscan")


class Exited(Failure):
    """PID 1 ended before its services were up, with exit status STATUS."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def service_names():
    return [f"s{i:02}" for i in range(1, SERVICES + 1)]


def setup_grace(binary, work, command):
    """A directory of ten unit files, in systemd's syntax, for
    `grace --services DIR`."""
    units = work / "units"
    units.mkdir()
    for name in service_names():
        (units / f"{name}.service").write_text(
            f"[Service]\nExecStart={command}\n")
    return [binary, "--services", str(units)]


def setup_supervisord(work, command):
    """The smallest configuration supervisord accepts: a [supervisord]
    section that keeps its files in WORK (it needs no control socket to
    run), and ten [program:x] sections left at their defaults (autostart,
    autorestart=unexpected, startsecs=1, stopsignal=TERM, stopwaitsecs=10,
    output captured to AUTO log files)."""
    logs = work / "logs"
    logs.mkdir()
    conf = [f"[supervisord]\nlogfile={work}/supervisord.log\n"
            f"pidfile={work}/supervisord.pid\nchildlogdir={logs}\n"]
    conf += [f"\n[program:{name}]\ncommand={command}\n"
             for name in service_names()]
    (work / "supervisord.conf").write_text("".join(conf))
    return [SUPERVISORD, "-n", "-c", str(work / "supervisord.conf")]


def s6_shebang():
    """How each s6 run file starts: execline as s6 users write it if it is
    installed, else /bin/sh; either execs the service, so from then on the
    two are the same process."""
    if os.access(EXECLINEB, os.X_OK):
        return f"#!{EXECLINEB} -P\n", ""
    return "#!/bin/sh\n", "exec "


def setup_s6(work, command):
    """A scan directory of ten service directories, each with only an
    executable run file: s6-svscan starts one s6-supervise per directory,
    and each s6-supervise runs its ./run."""
    scan = work / "scan"
    shebang, exec_word = s6_shebang()
    for name in service_names():
        (scan / name).mkdir(parents=True)
        run_file = scan / name / "run"
        run_file.write_text(f"{shebang}{exec_word}{command}\n")
        run_file.chmod(0o755)
    return [S6_SVSCAN, str(scan)]


def log_count(log, word):
    """How many services have logged WORD ("ready", "stopped")."""
    return sum(1 for line in read_text(log).splitlines()
               if line.split()[:1] == [word])


def tail(path, lines=3):
    text = read_text(path).strip().splitlines()[-lines:]
    return " / ".join(text) if text else "no output"


def tasks(pid):
    try:
        return os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []


def descendants(pid):
    """PID and every process below it, through the children files of all
    its threads (a supervisor may fork from any thread)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for tid in tasks(p):
            todo += [int(c) for c in
                     read_text(f"/proc/{p}/task/{tid}/children").split()]
    return found


def switches(pid):
    """Voluntary and involuntary context switches of every thread of PID:
    /proc/PID/status counts the main thread only."""
    total = 0
    for tid in tasks(pid):
        for line in read_text(f"/proc/{pid}/task/{tid}/status").splitlines():
            key, _, value = line.partition(":")
            if key in ("voluntary_ctxt_switches",
                       "nonvoluntary_ctxt_switches"):
                total += int(value)
    return total


def memory(pid):
    """(VmRSS, Pss) of PID in kB; Pss shares each page among the processes
    that map it, so that eleven s6 processes on one libc are not counted as
    eleven libcs."""
    rss = pss = None
    for line in read_text(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    for line in read_text(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    if rss is None or pss is None:
        raise Failure(f"read the memory of process {pid}")
    return rss, pss


class Supervised:
    """ARGV, a supervisor, as PID 1 of a fresh PID namespace, running ten
    services that log to WORK/log.  Returns once all ten are ready.  A
    context manager: leaving it kills whatever is left in the namespace."""

    def __init__(self, argv, work, service):
        self.argv, self.pidfd = argv, None
        self.log, self.output = work / "log", work / "output"
        self.service = os.path.realpath(service)
        t0 = time.monotonic()
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen(PREFIX + argv,
                                         stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self.pid = wait_until(lambda: self.alive() and
                                  children(self.proc.pid),
                                  f"PID 1 of {argv[0]} forked")[0]
            try:
                self.pidfd = os.pidfd_open(self.pid)
            except ProcessLookupError:
                self.proc.wait(TIMEOUT)
                self.alive()
            try:
                wait_until(lambda: self.alive() and
                           log_count(self.log, "ready") >= SERVICES,
                           f"{SERVICES} services ready under {argv[0]}",
                           READY_TIMEOUT)
            except Exited:
                raise
            except Failure as e:
                raise Failure(f"{e}; its output: {tail(self.output)}")
            self.ready_ms = (time.monotonic() - t0) * 1000
        except BaseException:
            self.close()
            raise

    def alive(self):
        """True while unshare runs; an Exited once it has ended, which it
        does when PID 1 does."""
        if self.proc.poll() is not None:
            raise Exited(f"run {' '.join(self.argv)} as PID 1: it exited "
                         f"with status {self.proc.returncode} "
                         f"({tail(self.output)})", self.proc.returncode)
        return True

    def processes(self):
        """(the supervisor's processes, the services' processes), PID 1
        first: everything in the namespace that is not a service belongs to
        the supervisor."""
        own, services = [], []
        for pid in descendants(self.pid):
            try:
                is_service = os.readlink(f"/proc/{pid}/exe") == self.service
            except OSError:
                continue
            (services if is_service else own).append(pid)
        if len(services) != SERVICES or own[:1] != [self.pid]:
            raise Failure(f"find {SERVICES} services under {self.argv[0]}: "
                          f"saw {len(services)}")
        return own, services

    def stop(self):
        """SIGTERM to PID 1; ms until it exited."""
        t0 = time.monotonic()
        signal.pidfd_send_signal(self.pidfd, signal.SIGTERM)
        if not select.select([self.pidfd], [], [], TIMEOUT)[0]:
            raise Failure(f"see {self.argv[0]} exit within {TIMEOUT:.0f} s "
                          f"of SIGTERM")
        return (time.monotonic() - t0) * 1000

    def close(self):
        if self.pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            os.close(self.pidfd)
            self.pidfd = None
        self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Setups:
    """Makes a fresh work directory and configuration for each run, so no
    run sees another's state files (s6 writes supervise/ into each service
    directory, supervisord its log files)."""

    def __init__(self, tmp, service):
        self.tmp, self.service, self.runs = tmp, service, 0

    def __call__(self, key):
        """(argv, work directory) for KEY: a grace binary, or the name of
        another supervisor."""
        self.runs += 1
        work = self.tmp / f"run{self.runs}"
        work.mkdir()
        command = f"{self.service} {STOP_MS} {work / 'log'}"
        if key == "supervisord":
            return setup_supervisord(work, command), work
        if key == "s6-svscan":
            return setup_s6(work, command), work
        return setup_grace(key, work, command), work

    def start(self, key):
        argv, work = self(key)
        return Supervised(argv, work, self.service)


def grace_supports_services(setups, grace):
    """False, and says why, if GRACE rejects --services as bad usage (a
    grace from before services); any other failure is a Failure."""
    try:
        with setups.start(grace):
            return True
    except Exited as e:
        if e.status != GRACE_USAGE:
            raise
        progress(f"grace: n/a in the services table: {e}")
        return False


def measure_idle(setups, keys):
    """All of KEYS side by side, idle: {key: (own VmRSS, own Pss, total
    VmRSS, total Pss, supervisor processes, context switches of the
    supervisor's processes over IDLE_SECONDS)}."""
    with contextlib.ExitStack() as stack:
        runs = {key: stack.enter_context(setups.start(key)) for key in keys}
        time.sleep(SETTLE_SECONDS)
        own = {key: run.processes()[0] for key, run in runs.items()}
        before = {key: sum(map(switches, pids)) for key, pids in own.items()}
        time.sleep(IDLE_SECONDS)
        result = {}
        for key, run in runs.items():
            if run.processes()[0] != own[key]:
                raise Failure(f"keep the processes of {key} steady for "
                              f"{IDLE_SECONDS} s")
            woke = sum(map(switches, own[key])) - before[key]
            mem = [memory(pid) for pid in own[key]]
            result[key] = (*mem[0], sum(m[0] for m in mem),
                           sum(m[1] for m in mem), len(own[key]), woke)
        return result


def measure_stop(setups, keys):
    """STOP_RUNS runs of each of KEYS, interleaved, each a fresh namespace:
    {key: (median ms from start to ten services ready, median ms from
    SIGTERM to PID 1's exit, fewest handlers finished)}."""
    ready, stop, done = ({key: [] for key in keys} for _ in range(3))
    for _ in range(STOP_RUNS):
        for key in keys:
            with setups.start(key) as run:
                time.sleep(SETTLE_SECONDS)
                stop[key].append(run.stop())
            ready[key].append(run.ready_ms)
            done[key].append(log_count(run.log, "stopped"))
    return {key: (statistics.median(ready[key]), statistics.median(stop[key]),
                  min(done[key])) for key in keys}


def package_version(package):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                         capture_output=True, text=True)
    return out.stdout.strip() or "?"


def run(grace, grace_static):
    """Takes every measurement of the services table; returns the report."""
    if os.geteuid() != 0:
        raise Failure("create PID namespaces: run as root")
    for path in (SUPERVISORD, S6_SVSCAN):
        if not os.access(path, os.X_OK):
            raise Failure(f"find {path} (Debian packages supervisor, s6)")
    started = datetime.datetime.now().astimezone()
    where = machine()
    with tempfile.TemporaryDirectory(prefix="grace-bench-services.") as d:
        tmp = Path(d)
        setups = Setups(tmp, build_workload("service", tmp, static=True))
        progress("services: does grace know --services?")
        has_grace = grace_supports_services(setups, grace_static)
        graces = [grace_static, grace] if has_grace else []
        progress(f"services: idle wake-ups and memory over {IDLE_SECONDS} s")
        idle = measure_idle(setups, graces + ["supervisord", "s6-svscan"])
        progress(f"services: start and stop, {STOP_RUNS} runs each")
        stops = measure_stop(setups, graces[:1] + ["supervisord", "s6-svscan"])
    r = {"idle": idle, "stop": stops, "date": started, "machine": where,
         "grace": graces}
    return report(grace, grace_static, r)


def table(rows, grace_missing):
    """Markdown: one row per measure, grace's value, then the others' with
    their ratio to grace's; grace's cells read "n/a" when GRACE_MISSING."""
    out = ["| measure | " + " | ".join(NAMES) + " |",
           "| --- |" + " ---: |" * len(NAMES)]
    for label, fmt, values in rows:
        cells = []
        for name in NAMES:
            v = values.get(name)
            if v is None:
                cells.append("n/a" if grace_missing and name == "grace"
                             else "—")
                continue
            cell = fmt.format(v)
            if name != "grace":
                cell += ratio(v, values.get("grace"))
            cells.append(cell)
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def report(grace, grace_static, r):
    """The Markdown report of the results R."""
    shebang, exec_word = s6_shebang()
    grace_line = (f"`{version(grace_static)}`: {grace_static} "
                  f"(static; the timings), {grace} (dynamic)"
                  if r["grace"] else
                  f"n/a: {grace_static} rejects --services (exit status "
                  f"{GRACE_USAGE})")
    lines = [
        f"## Services: grace, supervisord, s6 ({SERVICES} services each)",
        "",
        f"- date: {r['date']:%Y-%m-%d %H:%M %Z}",
        f"- machine: {r['machine']}",
        f"- grace: {grace_line}; `grace --services DIR`, {SERVICES} unit "
        f"files",
        f"- supervisord: Debian supervisor {package_version('supervisor')}; "
        f"`supervisord -n -c CONF`, {SERVICES} [program:x] sections at "
        f"their defaults, no control socket",
        f"- s6-svscan: Debian s6 {package_version('s6')}; `s6-svscan DIR`, "
        f"{SERVICES} service directories, each run file "
        f"`{shebang.strip()}` then `{exec_word}SERVICE`",
        f"- each service sleeps until SIGTERM, then takes {STOP_MS} ms to "
        f"exit; measures start {SETTLE_SECONDS} s after all {SERVICES} are "
        f"ready; idle {IDLE_SECONDS} s, all side by side; stop "
        f"{STOP_RUNS} runs each, interleaved, each in a fresh namespace",
        "- own: PID 1 alone; total: every process that is not a service "
        "(s6: s6-svscan and one s6-supervise per service)",
        "",
    ]
    static, dynamic = (r["grace"] + [None, None])[:2]

    def of(results, i, grace_key=static):
        """{name: value}: grace's from GRACE_KEY, the others' by name."""
        out = {name: results[name][i] for name in NAMES[1:]}
        if grace_key is not None:
            out["grace"] = results[grace_key][i]
        return out

    idle, stop = r["idle"], r["stop"]
    rows = [
        ("supervisor processes besides the services", "{}", of(idle, 4)),
        ("own VmRSS, kB", "{}", of(idle, 0)),
        ("own VmRSS, kB, grace's dynamic binary", "{}",
         of(idle, 0, dynamic)),
        ("own Pss, kB", "{}", of(idle, 1)),
        ("own Pss, kB, grace's dynamic binary", "{}", of(idle, 1, dynamic)),
        ("total VmRSS, kB", "{}", of(idle, 2)),
        ("total Pss, kB", "{}", of(idle, 3)),
        (f"idle wake-ups in {IDLE_SECONDS} s (context switches, all "
         "supervisor processes)", "{}", of(idle, 5)),
        (f"start: ms until {SERVICES} services are ready (median)", "{:.0f}",
         of(stop, 0)),
        ("stop: ms from SIGTERM to PID 1's exit (median)", "{:.0f}",
         of(stop, 1)),
        (f"stop: handlers finished, of {SERVICES} (fewest in a run)", "{}",
         of(stop, 2)),
    ]
    return "\n".join(lines) + "\n" + table(rows, not r["grace"]) + "\n"
