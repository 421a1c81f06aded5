#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Benchmarks grace side by side with tini, dumb-init and catatonit, each as
PID 1 of a fresh PID namespace, and prints one Markdown table: every init's
value and its ratio to grace.

Usage, as root: bench.py [--services-only | --logs-only] GRACE GRACE_STATIC
(build/grace, build/grace-static).  A second table follows, from
services.py: grace with ten services beside supervisord and s6;
--services-only prints that table alone.  A third follows, from logs.py:
grace relaying a service's output beside a direct pipe and supervisord;
--logs-only prints that table alone.  A fourth, from jobs.py: grace's
scheduled jobs beside busybox crond; --jobs-only prints it alone.  --start-only prints the start-and-exit rows
alone, with the floor.

A report, not a test: no value makes it fail, but a measurement that cannot
be taken does, with "bench: unable to ..." and exit status 1.  Standard
library only; progress goes to stderr, the report to stdout."""

import contextlib
import datetime
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# How much of everything; the report prints these.
IDLE_SECONDS = 10
START_RUNS = 2000
ORPHANS = 20000
GROUPS, GROUP_SIZE, WORK_MS = 100, 10, 50
SIGNALS, WARM_UP = 1000, 20
TIMEOUT = 60.0  # bounds every wait; never paces a measurement

HELPERS = ("orphans", "sessions", "catch")
CFLAGS = ["-std=c17", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Wshadow",
          "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wformat=2",
          "-Werror"]

# Every namespace is started this way.  If this script dies, even by
# SIGKILL, unshare gets SIGKILL (setpriv's parent-death signal), then PID 1
# does (--kill-child), and with PID 1 the kernel kills the whole namespace.
PREFIX = ["setpriv", "--pdeathsig", "KILL", "unshare", "--pid", "--fork",
          "--mount-proc", "--kill-child", "setsid"]
COMPARED = {
    "tini": ["/usr/bin/tini", "/usr/bin/tini-static"],
    "dumb-init": ["/usr/bin/dumb-init"],
    "catatonit": ["/usr/bin/catatonit"],
}


class Failure(Exception):
    """A measurement could not be taken; the message completes "unable to"."""


def wait_until(cond, what, timeout=TIMEOUT):
    """Polls COND until it returns something true, and returns that."""
    deadline = time.monotonic() + timeout
    while not (value := cond()):
        if time.monotonic() > deadline:
            raise Failure(f"see {what} within {timeout:.0f} s")
        time.sleep(0.002)
    return value


def read_text(path):
    """The text of a /proc file, or "" once the process is gone."""
    try:
        return Path(path).read_text()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def status_field(pid, name):
    """An integer field of /proc/PID/status (the first number in it)."""
    for line in read_text(f"/proc/{pid}/status").splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    raise Failure(f"read {name} of process {pid}")


def children(pid):
    text = read_text(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in text.split()]


def exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def zombies(pid):
    """How many children of PID are zombies right now."""
    count = 0
    for child in children(pid):
        stat = read_text(f"/proc/{child}/stat")
        if stat[stat.rfind(")") + 2:][:1] == "Z":
            count += 1
    return count


class Lines:
    """Lines from a workload's stdout pipe, each awaited with a deadline."""

    def __init__(self, pipe, what):
        self.fd, self.what, self.buf = pipe.fileno(), what, b""

    def read(self, timeout=TIMEOUT):
        """The next line, or None if none came within TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise Failure(f"hear from {self.what}: it ended (see above)")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()

    def expect(self, timeout=TIMEOUT):
        line = self.read(timeout)
        if line is None:
            raise Failure(f"hear from {self.what} within {timeout:.0f} s")
        return line


class Namespace:
    """BINARY as PID 1 of a fresh PID namespace, running CMD.  A context
    manager: leaving it kills whatever is left in the namespace."""

    def __init__(self, binary, cmd, stdout=None):
        self.binary, self.pidfd = binary, None
        self.proc = subprocess.Popen(PREFIX + [binary, "--", *cmd],
                                     stdin=subprocess.DEVNULL, stdout=stdout,
                                     start_new_session=True)
        try:
            self.pid = wait_until(lambda: self.alive() and
                                  children(self.proc.pid),
                                  f"PID 1 of {binary} forked")[0]
            self.pidfd = os.pidfd_open(self.pid)
            wait_until(lambda: self.alive() and self.started(),
                       f"{binary} running as PID 1")
            self.lines = Lines(self.proc.stdout, cmd[0]) if stdout else None
        except BaseException:
            self.close()
            raise

    def alive(self):
        """True while unshare runs; a Failure once it has ended."""
        if self.proc.poll() is not None:
            raise Failure(f"run {self.binary} as PID 1: unshare exited "
                          f"with status {self.proc.returncode}")
        return True

    def started(self):
        nspid = read_text(f"/proc/{self.pid}/status").split("NSpid:")[-1]
        return (exe(self.pid) == os.path.realpath(self.binary)
                and nspid.split("\n")[0].split()[-1:] == ["1"])

    def wait_child(self, path):
        """Waits until PID 1 has a child running PATH."""
        path = os.path.realpath(path)
        wait_until(lambda: any(exe(c) == path for c in children(self.pid)),
                   f"{path} started under {self.binary}")

    def signal(self, sig):
        signal.pidfd_send_signal(self.pidfd, sig)

    def wait_exit(self):
        """Waits for PID 1 to exit; returns the time.monotonic() it did."""
        if not select.select([self.pidfd], [], [], TIMEOUT)[0]:
            raise Failure(f"see {self.binary} exit within {TIMEOUT:.0f} s")
        return time.monotonic()

    def close(self):
        if self.pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                self.signal(signal.SIGKILL)
            os.close(self.pidfd)
            self.pidfd = None
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def linkage(path):
    """"static" or "dynamic", as `file` sees PATH."""
    out = subprocess.run(["file", "-bL", path], capture_output=True,
                         text=True).stdout
    if "dynamically linked" in out:
        return "dynamic"
    if "statically linked" in out or "static-pie linked" in out:
        return "static"
    raise Failure(f"tell how {path} is linked: file says {out.strip()!r}")


def version(path):
    out = subprocess.run([path, "--version"], capture_output=True, text=True,
                         timeout=TIMEOUT)
    lines = (out.stdout + out.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def find_inits(grace, grace_static):
    """{name: {"static": path, "dynamic": path}}, grace first."""
    inits = {}
    for name, paths in {"grace": [grace, grace_static], **COMPARED}.items():
        inits[name] = {}
        for path in paths:
            if not os.access(path, os.X_OK):
                raise Failure(f"find {path}")
            kind = linkage(path)
            if kind in inits[name]:
                raise Failure(f"compare {name}: two {kind} binaries, {paths}")
            inits[name][kind] = path
    return inits


def primary_binary(binaries):
    """The binary the timings run: the static one if there is one, since
    that is what goes into images (docker --init runs tini-static)."""
    return binaries.get("static") or binaries["dynamic"]


def build_workload(name, outdir, static=False):
    """Compiles bench/NAME.c into OUTDIR; its path.  Static where its cost
    must be the same whoever starts it, needing nothing from a
    namespace."""
    path = outdir / name
    cmd = [os.environ.get("CC", "cc"), *CFLAGS, *(["-static"] if static
                                                   else []),
           "-o", str(path), str(BENCH / f"{name}.c")]
    if subprocess.run(cmd).returncode != 0:
        raise Failure(f"build the workload {name}: {' '.join(cmd)}")
    return str(path)


def build_helpers(outdir):
    return {name: build_workload(name, outdir) for name in HELPERS}


def measure_idle(inits):
    """Context switches of each binary over IDLE_SECONDS as PID 1 over a
    sleeping child, then its memory: {path: (switches, rss_kb, pss_kb)}."""
    sleep = shutil.which("sleep")
    with contextlib.ExitStack() as stack:
        spaces = {}
        for binaries in inits.values():
            for path in binaries.values():
                spaces[path] = stack.enter_context(
                    Namespace(path, [sleep, "1000"]))
        for ns in spaces.values():
            ns.wait_child(sleep)
        time.sleep(1)  # past start-up

        def switches(pid):
            return (status_field(pid, "voluntary_ctxt_switches")
                    + status_field(pid, "nonvoluntary_ctxt_switches"))

        before = {path: switches(ns.pid) for path, ns in spaces.items()}
        time.sleep(IDLE_SECONDS)
        result = {}
        for path, ns in spaces.items():
            rollup = read_text(f"/proc/{ns.pid}/smaps_rollup")
            pss = [ln.split()[1] for ln in rollup.splitlines()
                   if ln.startswith("Pss:")]
            if not pss:
                raise Failure(f"read the Pss of {path}")
            result[path] = (switches(ns.pid) - before[path],
                            status_field(ns.pid, "VmRSS"), int(pss[0]))
        return result


def build_static(name, outdir):
    """bench/NAME.c as the smallest static binary this machine can make:
    musl's, or glibc's where musl-gcc is missing."""
    path = outdir / name
    cc = ["musl-gcc"] if shutil.which("musl-gcc") else [
        os.environ.get("CC", "cc")]
    cmd = [*cc, *CFLAGS, "-static", "-s", "-o", str(path),
           str(BENCH / f"{name}.c")]
    if subprocess.run(cmd).returncode != 0:
        raise Failure(f"build the workload {name}: {' '.join(cmd)}")
    return str(path)


def measure_start(paths, outdir):
    """Median µs of `init -- nothing` as PID 1 of a fresh namespace minus
    the median of `nothing` alone there, for each init and for the floor
    (bench/floor.c: fork, exec, wait; the least an init can do): ({path:
    µs}, {path: its multiple of the floor's}, the floor's µs, the median
    alone in ms).  bench/startup.c times each run from clone to reaped
    exit, with nothing else in between.  Each init runs interleaved with
    the floor and `nothing` alone, in runs of its own, so that drift hits
    the three alike and no other init's aftermath (its pages freed, the
    caches it filled) lands on its runs; on one CPU, so that no run waits
    for another CPU to wake up."""
    driver = build_workload("startup", outdir)
    nothing = build_static("nothing", outdir)
    floor = build_static("floor", outdir)
    over, multiple, floors, alone = {}, {}, [], []
    for path in paths:
        proc = subprocess.run(
            [driver, str(START_RUNS), nothing, floor, path],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
            timeout=TIMEOUT * 10, preexec_fn=lambda: os.sched_setaffinity(
                0, {min(os.sched_getaffinity(0))}))
        if proc.returncode != 0:
            raise Failure(f"time the start of {path}: {driver} exited with "
                          f"status {proc.returncode}")
        times = {}
        for line in proc.stdout.splitlines():
            name, _, ns = line.rpartition(" ")
            if name in ("-", floor, path) and ns.isdigit():
                times.setdefault(name, []).append(int(ns) / 1000)
        if len(times) != 3:
            raise Failure(f"time the start of {path}: {driver} printed "
                          f"no times for some of its runs")
        base = statistics.median(times["-"])
        floor_us = statistics.median(times[floor]) - base
        if floor_us <= 0:
            raise Failure(f"time the floor: it took no longer than no init "
                          f"({floor_us:.0f} µs)")
        over[path] = statistics.median(times[path]) - base
        multiple[path] = over[path] / floor_us
        floors.append(floor_us)
        alone.append(base)
    return (over, multiple, statistics.median(floors),
            statistics.median(alone) / 1000)


def measure_storm(path, orphans):
    """Seconds until ORPHANS double-forked orphans are all reaped, counted
    from the workload's start; ms from the last fork to the last reap; the
    most and the mean number of zombies in samples about 1 ms apart."""
    with Namespace(path, [orphans, str(ORPHANS)], subprocess.PIPE) as ns:
        samples = []
        while (line := ns.lines.read(timeout=0.001)) is None:
            samples.append(zombies(ns.pid))
            if len(samples) > TIMEOUT * 1000:
                raise Failure(f"see the orphan storm end under {path}")
        words = line.split()
        if words[0::2] != ["created", "reaped"]:
            raise Failure(f"understand the orphans helper: {line!r}")
        ns.wait_exit()
    if not samples:
        raise Failure(f"sample the zombies under {path}: the storm was over")
    created, reaped = float(words[1]), float(words[3])
    return (reaped, (reaped - created) * 1000, max(samples),
            statistics.mean(samples))


def measure_stop(path, sessions, tmp):
    """ms from SIGTERM to PID 1's exit with GROUPS sessions of GROUP_SIZE
    slow-stopping processes, and how many of their handlers finished."""
    log = tmp / f"stop-{os.path.basename(path)}.log"
    log.write_bytes(b"")
    cmd = [sessions, str(GROUPS), str(GROUP_SIZE), str(WORK_MS), str(log)]
    with Namespace(path, cmd, subprocess.PIPE) as ns:
        if ns.lines.expect() != "ready":
            raise Failure(f"start the sessions workload under {path}")
        t0 = time.monotonic()
        ns.signal(signal.SIGTERM)
        t1 = ns.wait_exit()
    return (t1 - t0) * 1000, log.stat().st_size


@contextlib.contextmanager
def pinned():
    """Runs this process, and all it starts meanwhile, on one CPU: then a
    latency is the path through the init, not where the scheduler put whom
    (that alone moves a p50 between 10 and 50 µs on 2 CPUs)."""
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(cpus)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cpus)


def measure_signals(paths, catch):
    """p50 and p99 in µs of SIGUSR1 from here to PID 1 to its child, one
    signal at a time: {path: (p50, p99)}.  The inits run side by side and
    take turns, so a disturbance hits all alike; the first WARM_UP rounds
    do not count."""
    latencies = {path: [] for path in paths}
    with pinned(), contextlib.ExitStack() as stack:
        spaces = {p: stack.enter_context(
            Namespace(p, [catch], subprocess.PIPE)) for p in paths}
        for path, ns in spaces.items():
            if ns.lines.expect() != "ready":
                raise Failure(f"start the catch workload under {path}")
        for i in range(WARM_UP + SIGNALS):
            for path in paths[i % len(paths):] + paths[:i % len(paths)]:
                t0 = time.monotonic_ns()
                spaces[path].signal(signal.SIGUSR1)
                arrived = int(spaces[path].lines.expect(5))
                if i >= WARM_UP:
                    latencies[path].append((arrived - t0) / 1000)
    result = {}
    for path, values in latencies.items():
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        result[path] = cuts[49], cuts[98]
    return result


def stripped_size(path, tmp):
    out = tmp / "stripped"
    if subprocess.run(["strip", "-o", str(out), path]).returncode != 0:
        raise Failure(f"strip a copy of {path}")
    return out.stat().st_size


def machine():
    models = [ln.split(":", 1)[1].strip()
              for ln in read_text("/proc/cpuinfo").splitlines()
              if ln.startswith("model name")]
    u = os.uname()
    return (f"Linux {u.release} {u.machine}, "
            f"{models[0] if models else 'unknown CPU'}, "
            f"nproc {len(os.sched_getaffinity(0))}, "
            f"load average {os.getloadavg()[0]:.2f} at the start")


def ratio(value, grace):
    if value is None or grace is None:
        return ""
    if grace == 0:
        return " (×1)" if value == 0 else " (×∞)"
    r = value / grace
    return f" (×{r:.0f})" if abs(r) >= 1000 else f" (×{r:.3g})"


def table(rows, names):
    """Markdown: one row per measure, grace's value, then each other init's
    value with its ratio to grace's."""
    out = ["| measure | " + " | ".join(names) + " |",
           "| --- |" + " ---: |" * len(names)]
    for label, fmt, values in rows:
        cells = []
        for name in names:
            v = values.get(name)
            cell = "—" if v is None else fmt.format(v)
            if name != names[0] and v is not None:
                cell += ratio(v, values.get(names[0]))
            cells.append(cell)
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def progress(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run(grace, grace_static):
    """Takes every measurement; returns the report."""
    if os.geteuid() != 0:
        raise Failure("create PID namespaces: run as root")
    for tool in ("setpriv", "unshare", "setsid", "file", "strip"):
        if not shutil.which(tool):
            raise Failure(f"find {tool}")
    inits = find_inits(grace, grace_static)
    primary = {name: primary_binary(b) for name, b in inits.items()}
    r = {"date": datetime.datetime.now().astimezone(), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="grace-bench.") as tmpdir:
        tmp = Path(tmpdir)
        helpers = build_helpers(tmp)
        progress(f"idle wake-ups and memory over {IDLE_SECONDS} s")
        r["idle"] = measure_idle(inits)
        progress(f"start and exit, {START_RUNS} runs each")
        r["start"], r["multiple"], r["floor"], r["alone_ms"] = \
            measure_start(list(primary.values()), tmp)
        r["storm"], r["stop"] = {}, {}
        for path in primary.values():
            progress(f"{path}: orphan storm, then stop")
            r["storm"][path] = measure_storm(path, helpers["orphans"])
            r["stop"][path] = measure_stop(path, helpers["sessions"], tmp)
        progress(f"signal forwarding, {SIGNALS} signals each")
        r["signals"] = measure_signals(list(primary.values()),
                                       helpers["catch"])
        r["size"] = {p: stripped_size(p, tmp)
                     for binaries in inits.values() for p in binaries.values()}
    return report(inits, primary, r)


def run_start(grace, grace_static):
    """The start-and-exit rows alone, for --start-only."""
    inits = find_inits(grace, grace_static)
    primary = {name: primary_binary(b) for name, b in inits.items()}
    with tempfile.TemporaryDirectory(prefix="grace-bench.") as tmpdir:
        progress(f"start and exit, {START_RUNS} runs each")
        start, multiple, floor, alone_ms = measure_start(
            list(primary.values()), Path(tmpdir))
    rows = [("start and exit of `init -- nothing`, µs over no init "
             "(medians)", "{:.0f}",
             {**{n: start[primary[n]] for n in inits}, "floor": floor}),
            ("start and exit, multiple of the floor's (in its own runs)",
             "{:.2f}",
             {**{n: multiple[primary[n]] for n in inits}, "floor": 1.0})]
    return (f"no init: median {alone_ms:.2f} ms; {START_RUNS} runs each\n\n"
            + table(rows, [*inits, "floor"]) + "\n")


def report(inits, primary, r):
    """The Markdown report of the results R."""
    lines = [
        "## Benchmark: grace, tini, dumb-init, catatonit",
        "",
        f"- date: {r['date']:%Y-%m-%d %H:%M %Z}",
        f"- machine: {r['machine']}",
        "- inits (the timings run the first binary listed):",
    ]
    for name, binaries in inits.items():
        kinds = sorted(binaries, key=lambda k: binaries[k] != primary[name])
        listed = ", ".join(f"{binaries[k]} ({k}, "
                           f"{os.path.getsize(binaries[k])} bytes)"
                           for k in kinds)
        lines.append(f"  - {name}: `{version(primary[name])}`: {listed}")
    lines += [
        f"- counts: idle {IDLE_SECONDS} s; start and exit {START_RUNS} runs "
        f"each of `init -- nothing` (a static no-op; alone: median "
        f"{r['alone_ms']:.2f} ms), each init interleaved with the floor "
        f"(bench/floor.c: fork, exec, wait; its median over all: "
        f"{r['floor']:.0f} µs) in runs of its own, on one CPU; {ORPHANS} "
        f"orphans, "
        f"zombies sampled about every ms; stop {GROUPS} sessions x "
        f"{GROUP_SIZE} processes + the main one, {WORK_MS} ms SIGTERM "
        f"handlers; {SIGNALS} signals after {WARM_UP} unrecorded, on one CPU",
        "",
    ]

    def of(results, i=None, kind=None):
        """{init name: value} from {path: value or tuple}: each init's
        primary binary, or its binary of KIND ("static", "dynamic")."""
        out = {}
        for name, binaries in inits.items():
            path = binaries.get(kind) if kind else primary[name]
            if path:
                out[name] = results[path] if i is None else results[path][i]
        return out

    rows = [
        (f"idle wake-ups in {IDLE_SECONDS} s (context switches)", "{}",
         of(r["idle"], 0)),
        ("idle VmRSS, static binary, kB", "{}", of(r["idle"], 1, "static")),
        ("idle VmRSS, dynamic binary, kB", "{}", of(r["idle"], 1, "dynamic")),
        ("idle Pss, static binary, kB", "{}", of(r["idle"], 2, "static")),
        ("idle Pss, dynamic binary, kB", "{}", of(r["idle"], 2, "dynamic")),
        ("start and exit of `init -- nothing`, µs over no init (medians)",
         "{:.0f}", {**of(r["start"]), "floor": r["floor"]}),
        ("start and exit, multiple of the floor's (in its own runs)",
         "{:.2f}", {**of(r["multiple"]), "floor": 1.0}),
        (f"{ORPHANS} orphans: s until all reaped", "{:.2f}",
         of(r["storm"], 0)),
        (f"{ORPHANS} orphans: ms from the last fork to the last reap",
         "{:.1f}", of(r["storm"], 1)),
        (f"{ORPHANS} orphans: most zombies at once", "{}", of(r["storm"], 2)),
        (f"{ORPHANS} orphans: zombies on average", "{:.1f}",
         of(r["storm"], 3)),
        (f"stop, {GROUPS} sessions: ms from SIGTERM to exit", "{:.0f}",
         of(r["stop"], 0)),
        (f"stop, {GROUPS} sessions: handlers finished, of "
         f"{GROUPS * GROUP_SIZE + 1}", "{}", of(r["stop"], 1)),
        ("signal forwarding p50, µs", "{:.0f}", of(r["signals"], 0)),
        ("signal forwarding p99, µs", "{:.0f}", of(r["signals"], 1)),
        ("size, static binary, bytes stripped", "{}",
         of(r["size"], kind="static")),
        ("size, dynamic binary, bytes stripped", "{}",
         of(r["size"], kind="dynamic")),
    ]
    return ("\n".join(lines) + "\n" + table(rows, [*inits, "floor"]) +
            "\n")


def interrupted(sig, frame):
    raise KeyboardInterrupt


def main(argv):
    only = argv[1] if argv[1:2] in (["--services-only"], ["--logs-only"],
                                    ["--jobs-only"], ["--start-only"]) \
        else None
    if only:
        argv = argv[:1] + argv[2:]
    if len(argv) != 3:
        print("usage: bench.py [--services-only | --logs-only | "
              "--jobs-only | --start-only] GRACE GRACE_STATIC",
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    started = time.monotonic()
    grace, grace_static = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    try:
        if only is None:
            print(run(grace, grace_static), flush=True)
        if only == "--start-only":
            print(run_start(grace, grace_static), flush=True)
        import jobs
        import logs  # here, once this module is "bench": see the end
        import services
        if only in (None, "--services-only"):
            print(services.run(grace, grace_static), flush=True)
        if only in (None, "--logs-only"):
            print(logs.run(grace, grace_static), flush=True)
        if only in (None, "--jobs-only"):
            print(jobs.run(grace, grace_static), flush=True)
    except Failure as e:
        print(f"bench: unable to {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    progress(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    # services.py and logs.py import "bench": let that be this module, not
    # a second copy with a Failure class of its own that main() would not
    # catch.
    sys.modules["bench"] = sys.modules[__name__]
    sys.exit(main(sys.argv))
