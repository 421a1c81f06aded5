# SPDX-License-Identifier: MIT
"""grace's demo, as `make demo` runs it: one story in three parts, grace as
PID 1 of a fresh PID namespace each time, shown as it happens, then checked.

Usage: python3 tests/demo.py GRACE HELPERS   (as root)

1. One command stopped as a whole: a wrapper (main), a worker below it and
   a child that escaped into its own session, each with a slow SIGTERM
   handler.  SIGTERM to grace: every one finishes its handler, grace exits
   last, with main's 143.
2. A calico-node-like container: bird, felix and confd from unit files
   (the svc helper plays each, behind a wrapper that prints one line),
   started in readiness order, their output labelled; the demo crashes
   felix twice and grace restarts it with backoff; gracectl status and
   gracectl ps from inside; SIGTERM stops them in reverse order, each level
   in parallel, exit code 0.
3. In the same container, a crontab job with a seconds field, every 2 s:
   it runs beside the services and its run still going at the stop is
   stopped with them.

Everything shown comes from one file that grace's stdout and stderr, the
helpers' events (tests/helpers/actor.c, svc.c) and the demo's own lines
are appended to, so it reads in the order things happened.  The checks
read the events' t= (CLOCK_MONOTONIC, time.monotonic()'s clock); waits
have deadlines and pace nothing.  Exits 0 when every check holds, else 1
naming what did not."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The longest any one awaited step may take before the demo gives up.
DEADLINE = 10.0
# How often the log is read while waiting.
POLL = 0.01
# Rounding slack when comparing the demo's clock with an event's t=.
TOL = 0.005

# NAME PID EVENT [ARGS] [KEY=VALUE...] t=SECONDS: a helper's event.
EVENT = re.compile(r"(\S+) (\d+) (\S+)(.*) t=(\d+\.\d+)")
# What each kind of helper event shows of its fields; kinds not named here
# (readying, sig, reaped...) are left out of the display, not the checks.
SHOWN = {"start": ("ppid", "pgid", "sid"), "ready": (), "term": ("from",),
         "done": ("init",), "stopped": (), "exit": ("code",),
         "raise": ("sig",), "error": ()}


class Failed(Exception):
    """A step of the story did not happen in time."""


class Event:
    """One helper event: NAME PID EVENT [ARGS] [KEY=VALUE...] t=T (its
    KEY=VALUE fields kept, its ARGS not)."""

    def __init__(self, match):
        self.name, pid, self.kind, rest, t = match.groups()
        self.pid, self.t = int(pid), float(t)
        self.fields = dict(w.split("=", 1) for w in rest.split() if "=" in w)

    def display(self, brief_start):
        """The event as shown: name[pid] kind and a few fields; None for a
        kind left out.  BRIEF_START: a start without its fields."""
        if self.kind not in SHOWN:
            return None
        keys = () if self.kind == "start" and brief_start else SHOWN[self.kind]
        shown = [f"{k}={self.fields[k]}" for k in keys if k in self.fields]
        return " ".join([f"{self.name}[{self.pid}] {self.kind}"] + shown)


class Log:
    """The file one grace run appends to (its stdout and stderr, the
    helpers' events, the demo's lines), printed as it grows."""

    def __init__(self, path, brief_start=False, hidden=()):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT |
                          os.O_CLOEXEC, 0o644)
        self.reader = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.pending = b""
        self.lines = []
        self.events = []
        self.brief_start = brief_start
        self.hidden = hidden
        self.start = time.monotonic()

    def pump(self):
        """Reads what was appended, prints each whole line with the time
        since the run began, and keeps it."""
        while True:
            data = os.read(self.reader, 1 << 16)
            if not data:
                break
            self.pending += data
        *whole, self.pending = self.pending.split(b"\n")
        for raw in whole:
            line = raw.decode(errors="replace")
            self.lines.append(line)
            shown = line
            match = EVENT.fullmatch(line)
            if match:
                event = Event(match)
                self.events.append(event)
                shown = None if (event.name, event.kind) in self.hidden \
                    else event.display(self.brief_start)
            if shown is not None:
                elapsed = time.monotonic() - self.start
                print(f"{elapsed:6.3f}s  {shown}", flush=True)

    def say(self, text):
        """A line of the demo's own, in its place among the others."""
        os.write(self.fd, f"demo: {text}\n".encode())
        self.pump()

    def wait(self, cond, what, timeout=DEADLINE):
        """Reads and prints the log until COND returns something true, and
        returns that; Failed once TIMEOUT seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            value = cond()
            if value:
                return value
            if time.monotonic() > deadline:
                raise Failed(f"{what}: not within {timeout:.0f}s")
            time.sleep(POLL)

    def of(self, name=None, kind=None):
        return [e for e in self.events if (name is None or e.name == name)
                and (kind is None or e.kind == kind)]

    def first(self, name, kind):
        found = self.of(name, kind)
        return found[0] if found else None

    def grace_lines(self, pattern):
        """The matches of PATTERN over grace's own lines."""
        return [m for m in (re.fullmatch(pattern, line) for line in self.lines
                            if line.startswith("grace: ")) if m]

    def close(self):
        os.close(self.fd)
        os.close(self.reader)


class Namespace:
    """ARGV (grace's command line) as PID 1 of a new PID namespace with its
    own /proc and a session of its own, as under runc, its output appended
    to LOG.  unshare --kill-child: when the demo kills unshare, the
    namespace goes with it."""

    def __init__(self, log, argv, cwd, env):
        self.log = log
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
             "setsid", *argv], stdin=subprocess.DEVNULL, stdout=log.fd,
            stderr=log.fd, cwd=cwd, env=env, start_new_session=True)
        # grace's pid as the host sees it: unshare's one child.
        try:
            self.pid = self.wait_for(self._child, "grace to start")
        except BaseException:
            self.kill()
            raise
        self.pidns = os.readlink(f"/proc/{self.pid}/ns/pid")

    def _child(self):
        path = f"/proc/{self.proc.pid}/task/{self.proc.pid}/children"
        try:
            with open(path) as f:
                pids = f.read().split()
        except OSError:
            return None
        return int(pids[0]) if pids else None

    def host_pid(self, pid):
        """The host's pid of the process that is PID in the namespace."""
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.readlink(f"/proc/{entry}/ns/pid") != self.pidns:
                    continue
                with open(f"/proc/{entry}/status") as f:
                    for line in f:
                        if line.startswith("NSpid:") and \
                                int(line.split()[-1]) == pid:
                            return int(entry)
            except (OSError, ValueError):
                continue
        raise Failed(f"no process {pid} in grace's namespace")

    def wait_for(self, cond, what):
        """Log.wait for COND, failing at once if grace has exited."""
        def cond_or_exit():
            value = cond()
            if not value and self.proc.poll() is not None:
                self.log.pump()
                raise Failed(f"{what}: grace exited with "
                             f"{self.proc.returncode} first")
            return value
        return self.log.wait(cond_or_exit, what)

    def wait(self):
        """grace's exit code, once it (and so the namespace) has ended."""
        self.log.wait(lambda: self.proc.poll() is not None, "grace to exit")
        self.log.pump()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Checks:
    """What the demo found, one line each; the demo fails if one is false."""

    def __init__(self):
        self.results = []

    def check(self, part, ok, text):
        self.results.append((part, bool(ok), text))

    def fail(self, part, text):
        self.check(part, False, text)

    def report(self):
        print("\n== Checks: did the story run as told?")
        for part, ok, text in self.results:
            print(f"{'ok  ' if ok else 'FAIL'} part {part}: {text}")
        failed = [r for r in self.results if not r[1]]
        if failed:
            print(f"\ndemo: FAILED: {len(failed)} of {len(self.results)} "
                  "checks did not hold (above)")
            return 1
        print(f"\ndemo: all {len(self.results)} checks hold")
        return 0


def heading(text):
    print(f"\n== {text}", flush=True)


def part_one(grace, helpers, workdir, checks):
    """A wrapper, a worker below it, a child in its own session: SIGTERM
    to grace, every one finishes its handler, grace exits last."""
    heading("Part 1: one command, stopped as a whole")
    print("grace -v -- actor main [ worker ] [ escaped --setsid ]: main, a "
          "wrapper, starts worker\nand escaped, which moves into a session "
          "of its own.  Their SIGTERM handlers take\n0.2 s, 1.5 s and 1 s.\n")
    log = Log(os.path.join(workdir, "part1.log"))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "EVENT_LOG": log.path}
    actor = os.path.join(helpers, "actor")
    names = ("main", "worker", "escaped")
    ns = None
    try:
        ns = Namespace(log, [grace, "-v", "--", actor, "main", "--term-ms",
                             "200", "[", "worker", "--term-ms", "1500", "]",
                             "[", "escaped", "--setsid", "--term-ms", "1000",
                             "]"], workdir, env)
        ns.wait_for(lambda: all(log.first(n, "ready") for n in names),
                    "main, worker and escaped to be ready")
        log.say(f"all ready; kill -TERM {ns.pid} (grace, PID 1 inside, "
                "seen from the host), as docker stop does")
        stop_at = time.monotonic()
        os.kill(ns.pid, signal.SIGTERM)
        code = ns.wait()
    except Failed as e:
        checks.fail(1, str(e))
        return
    finally:
        if ns is not None:
            ns.kill()
        log.close()
    print(f"\ngrace exited with {code} (128 + 15: main died of its SIGTERM)")

    for name in names:
        term, done = log.first(name, "term"), log.first(name, "done")
        init = done.fields.get("init") if done else "(never done)"
        checks.check(1, term and term.fields.get("from") == "1"
                     and term.t >= stop_at - TOL and init == "alive",
                     f"{name} got SIGTERM from grace and finished its handler "
                     f"while grace was alive (done init={init})")
    starts = {n: log.first(n, "start") for n in names}
    checks.check(1, all(starts.values()) and starts["escaped"].fields["sid"]
                 != starts["main"].fields["sid"],
                 "escaped ran in a session of its own")
    checks.check(1, code == 143,
                 f"grace exited with main's 143 (got {code})")


# The calico-node-like container: each service's unit, and the line its
# wrapper prints before it becomes the svc helper.
UNITS = {
    "bird": ("BIRD 2.0.12 starting", """\
[Unit]
Description=BGP daemon
[Service]
Type=notify
ExecStart=bird --ready-after 400 --notify --status "BGP up" --term-ms 300
Restart=always
"""),
    "felix": ("Felix starting up", """\
[Unit]
Description=Calico's policy agent
After=bird
[Service]
ExecStart=felix --ready-after 200 --ready-fd 3 --term-ms 400
ReadyFd=3
Restart=on-failure
RestartSec=300ms
RestartSteps=2
RestartMaxDelaySec=1200ms
"""),
    "confd": ("confd: Starting calico-confd", """\
[Unit]
Description=BIRD's configuration from the datastore
Requires=bird
[Service]
ExecStart=confd --term-ms 200
"""),
}
CRONTAB = """\
# name: peers
*/2 * * * * * echo checking BGP peers; exec svc peers --after 1500 --exit 0 --term-ms 100
"""
# felix's restart delays: RestartSec= grown over RestartSteps= towards
# RestartMaxDelaySec=, 300 * 4^((n-1)/2) ms.
BACKOFF = (0.3, 0.6)


def write_container(workdir):
    """WORKDIR/units/*.service, WORKDIR/crontab and the wrappers in
    WORKDIR/bin."""
    units = os.path.join(workdir, "units")
    bindir = os.path.join(workdir, "bin")
    os.makedirs(units)
    os.makedirs(bindir)
    for name, (says, unit) in UNITS.items():
        with open(os.path.join(units, f"{name}.service"), "w") as f:
            f.write(unit)
        wrapper = os.path.join(bindir, name)
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\necho '{says}'\nexec svc {name} \"$@\"\n")
        os.chmod(wrapper, 0o755)
    with open(os.path.join(workdir, "crontab"), "w") as f:
        f.write(CRONTAB)


def gracectl(ns, ctl, control, command):
    """Runs gracectl COMMAND inside the namespace, as docker exec would, and
    shows what it printed; returns (exit code, output).  GRACE_CONTROL
    tells it where grace's socket is."""
    ns.log.pump()
    print(f"$ gracectl {command}", flush=True)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "GRACE_CONTROL": control}
    # --root: grace's root, which need not be its mount namespace's (a
    # chroot).
    done = subprocess.run(["nsenter", "--target", str(ns.pid), "--pid",
                           "--mount", "--root", "--", ctl, command],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=DEADLINE)
    sys.stdout.write(done.stdout + done.stderr)
    sys.stdout.flush()
    return done.returncode, done.stdout


def status_rows(text):
    """gracectl status's rows by name: their columns."""
    rows = {}
    for line in text.splitlines()[1:]:
        cols = line.split()
        if cols:
            rows[cols[0]] = cols
    return rows


def ps_services(text):
    """The SERVICE column of gracectl ps's process rows."""
    found = set()
    for line in text.splitlines()[1:]:
        cols = line.split(None, 7)
        if len(cols) == 8 and cols[0].isdigit():
            found.add(cols[6])
    return found


def readied(log, name):
    """How many times grace has found service NAME ready (grace's own word,
    so that gracectl sees it so too)."""
    return len(log.grace_lines(rf"grace: {name}: ready"))


def runs_over(log):
    """The peers runs that have ended."""
    return [e for e in log.events if e.name == "peers"
            and e.kind in ("exit", "raise")]


def run_going(log):
    """A peers run that has started and not ended, once two have ended on
    their own: the moment for the stop."""
    over = {e.pid for e in runs_over(log)}
    going = [e for e in log.of("peers", "start") if e.pid not in over]
    return going[-1] if len(over) >= 2 and going else None


def part_two(grace, helpers, workdir, checks):
    """Services and a job in one grace: start, crash, look inside, stop."""
    heading("Parts 2 and 3: a calico-node-like container, and a scheduled "
            "job beside it")
    write_container(workdir)
    control = os.path.join(workdir, "control")
    ctl = os.path.join(workdir, "gracectl")
    os.symlink(grace, ctl)
    print("""\
Part 2: three services from unit files (systemd's syntax), each the svc
helper behind a wrapper that prints one line:
  bird   Type=notify: ready on sd_notify READY=1, 0.4 s in; Restart=always
  felix  After=bird; ready when it writes to fd 3 (ReadyFd=3);
         Restart=on-failure: RestartSec=300ms, to 1200ms in RestartSteps=2
  confd  Requires=bird (so also After=bird); ready when started
Part 3: a crontab whose first field is seconds, a job every 2 s:
  */2 * * * * * echo checking BGP peers; exec svc peers --after 1500 ...
grace -v --services units --crontab crontab --control control, as PID 1:
""")
    print("-- parts 2 and 3: bird starts, felix and confd once it is ready; "
          "peers every 2 s", flush=True)
    log = Log(os.path.join(workdir, "part2.log"), brief_start=True,
              hidden={("peers", "ready")})
    env = {"PATH": f"{workdir}/bin:{helpers}:/usr/sbin:/usr/bin:/sbin:/bin",
           "EVENT_LOG": log.path}
    ns, kills = None, []
    try:
        ns = Namespace(log, [grace, "-v", "--services", "units", "--crontab",
                             "crontab", "--control", "control"], workdir, env)
        ns.wait_for(lambda: all(readied(log, n) for n in UNITS),
                    "bird, felix and confd to be ready")
        print("-- part 2: felix crashes twice; grace restarts it, backing off",
              flush=True)
        for attempt in (1, 2):
            felix = log.of("felix", "start")[-1]
            host = ns.host_pid(felix.pid)
            log.say(f"felix (pid {felix.pid}) crashes: kill -KILL {host} "
                    "from the host, as the OOM killer would")
            kills.append(time.monotonic())
            os.kill(host, signal.SIGKILL)
            ns.wait_for(lambda: readied(log, "felix") > attempt,
                        f"felix to be restarted and ready ({attempt})")
        print(f"-- part 2: looking inside: gracectl in the namespace "
              f"(nsenter -t {ns.pid} -p -m -r, as docker exec),\n"
              f"   GRACE_CONTROL={control}", flush=True)
        status = gracectl(ns, ctl, control, "status")
        ps = gracectl(ns, ctl, control, "ps")
        print("-- part 3: the job goes on running beside them", flush=True)
        going = ns.wait_for(lambda: run_going(log),
                            "two runs of peers to end and a third to start")
        print("-- parts 2 and 3: the stop", flush=True)
        log.say(f"peers ran {len(runs_over(log))} times, its run pid "
                f"{going.pid} is going; kill -TERM {ns.pid} (grace), as "
                "docker stop does")
        stop_at = time.monotonic()
        os.kill(ns.pid, signal.SIGTERM)
        code = ns.wait()
    except Failed as e:
        checks.fail(2, str(e))
        return
    finally:
        if ns is not None:
            ns.kill()
        log.close()
    print(f"\ngrace exited with {code} (every service ended cleanly at the "
          "stop)")
    check_start(log, checks)
    check_restarts(log, kills, checks)
    check_inside(status, ps, checks)
    check_stop(log, stop_at, kills, code, checks)
    check_job(log, stop_at, going, checks)


def check_start(log, checks):
    """Readiness order and labelled output."""
    readying = log.first("bird", "readying")
    for name in ("felix", "confd"):
        start = log.first(name, "start")
        checks.check(2, readying and start and start.t > readying.t,
                     f"{name} started only once bird was ready (after its "
                     "READY=1)")
    for name in (*UNITS, "peers"):
        labelled = [line for line in log.lines
                    if re.match(rf"{name} *\| ", line)]
        checks.check(2 if name in UNITS else 3, labelled,
                     f"{name}'s output came out labelled '{name} | ...'")


def check_restarts(log, kills, checks):
    """Each crash restarted after its backoff delay, as grace said."""
    said = [(int(m[1]), int(m[2])) for m in log.grace_lines(
        r"grace: felix: .*restarting in (\d+)ms \(attempt (\d+)\)")]
    want = [(round(d * 1000), i + 1) for i, d in enumerate(BACKOFF)]
    checks.check(2, said == want,
                 f"grace restarted felix after {want[0][0]} then "
                 f"{want[1][0]} ms (it said: " + (", ".join(
                     f"{ms} ms (attempt {n})" for ms, n in said) or "nothing")
                 + ")")
    starts = log.of("felix", "start")
    gaps = [starts[i + 1].t - kills[i] for i in range(min(len(kills),
                                                           len(starts) - 1))]
    checks.check(2, len(gaps) == len(BACKOFF) and all(
        gap >= delay - TOL for gap, delay in zip(gaps, BACKOFF)),
        "each restart came after its delay (" +
        ", ".join(f"{g:.3f}s" for g in gaps) + " after the crash)")


def check_inside(status, ps, checks):
    """gracectl status and ps answered, and saw the services."""
    code, text = status
    rows = status_rows(text)
    running = [n for n in UNITS if rows.get(n, [""] * 3)[2] == "running"]
    restarts = rows.get("felix", [""] * 7)[6]
    checks.check(2, code == 0 and len(running) == 3 and restarts == "2"
                 and "peers" in rows,
                 "gracectl status: three services running, felix restarted "
                 f"twice (RESTARTS {restarts}), the job listed")
    code, text = ps
    seen = ps_services(text)
    checks.check(2, code == 0 and set(UNITS) <= seen,
                 "gracectl ps: every service's process in the tree, with "
                 "its service")


def check_stop(log, stop_at, kills, code, checks):
    """Reverse order, each level in parallel, every handler finished, grace
    last, exit code 0."""
    term = {n: log.of(n, "term") for n in UNITS}
    stopped = {n: log.of(n, "stopped") for n in UNITS}
    if not all(term.values()) or not all(stopped.values()):
        checks.fail(2, "every service got SIGTERM and stopped")
        return
    t = {n: term[n][-1].t for n in UNITS}
    s = {n: stopped[n][-1].t for n in UNITS}
    checks.check(2, all(term[n][-1].fields.get("from") == "1"
                        and t[n] >= stop_at - TOL for n in UNITS),
                 "each service got its SIGTERM from grace, after the stop")
    checks.check(2, max(t["felix"], t["confd"]) < min(s["felix"], s["confd"]),
                 "felix and confd (one level) were stopped in parallel")
    checks.check(2, t["bird"] > max(s["felix"], s["confd"]),
                 "bird was stopped only once felix and confd had stopped: "
                 "reverse order")
    # A process killed by grace at its exit never logs its end; only the
    # felix the demo killed may lack one.
    ended = {e.pid for e in log.events if e.kind in ("exit", "raise")}
    killed = {e.pid for e in log.of("felix", "start")[:len(kills)]}
    unended = {f"{e.name}[{e.pid}]" for e in log.of(kind="start")
               if e.pid not in ended | killed}
    checks.check(2, not unended and log.grace_lines(
        r"grace: stop: no process left"),
        "every process finished its handler and ended before grace "
        f"(unended: {', '.join(sorted(unended)) or 'none'})")
    checks.check(2, code == 0, f"grace exited with 0 (got {code})")


def check_job(log, stop_at, going, checks):
    """Runs ended on their own before the stop; the one going was stopped
    with the rest; none started after."""
    own = [e for e in runs_over(log) if e.t < stop_at]
    checks.check(3, len(own) >= 2,
                 f"peers ran {len(own)} times on its own before the stop")
    term = [e for e in log.of("peers", "term") if e.pid == going.pid]
    ends = [e for e in runs_over(log) if e.pid == going.pid]
    stopped = [e for e in log.of("peers", "stopped") if e.pid == going.pid]
    checks.check(3, term and term[0].fields.get("from") == "1" and stopped
                 and ends,
                 f"its run {going.pid} got SIGTERM from grace at the stop "
                 "and finished its handler")
    late = [e for e in log.of("peers", "start") if e.t > stop_at]
    checks.check(3, not late, "no run started after the stop")


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: demo.py GRACE HELPERS")
    if os.geteuid() != 0:
        sys.exit("demo: needs root, to create PID namespaces")
    grace, helpers = map(os.path.abspath, argv[1:])
    # Interrupted or told to stop, the demo still ends its namespaces
    # (finally clauses), whatever dispositions it inherited.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print("grace's demo: grace as PID 1 of a fresh PID namespace (unshare "
          "--pid --fork --mount-proc).\nEach line: the time since grace "
          "started, then grace's own lines (grace:), the\nservices' output "
          "as grace labels it (NAME | ...), the helpers' events\n"
          "(NAME[PID] ...) and what the demo does (demo:).")
    checks = Checks()
    workdir = tempfile.mkdtemp(prefix="grace-demo-")
    try:
        part_one(grace, helpers, workdir, checks)
        part_two(grace, helpers, workdir, checks)
    except KeyboardInterrupt:
        print("\ndemo: interrupted")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return checks.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
