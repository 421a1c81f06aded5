# SPDX-License-Identifier: MIT
"""Runs an init (grace, tini, dumb-init, catatonit or none) over a workload of
test helpers, as PID 1 of a fresh PID namespace or as a plain process, and
reads the event log the helpers write."""

import dataclasses
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GRACE = os.environ.get("GRACE", str(REPO / "build" / "grace"))
HELPERS = Path(os.environ.get("HELPERS", str(REPO / "build" / "helpers")))
SANITIZED = os.environ.get("GRACE_SANITIZED") == "1"

# Deadlines stretch under the sanitizers; they bound waits, they never pace.
SLOW = 3.0 if SANITIZED else 1.0
TIMEOUT = 5.0 * SLOW

INITS = ("grace", "tini", "dumb-init", "catatonit", "none")
# The init the scenarios hold to grace's contract: grace, unless another
# one is named to see where it falls short (SCENARIO_INIT=tini).
UNDER_TEST = os.environ.get("SCENARIO_INIT", "grace")
assert UNDER_TEST in INITS, f"SCENARIO_INIT={UNDER_TEST}: not one of {INITS}"
MODES = ("pid1", "plain")

# The other inits, from Debian's packages: by full path, so that grace
# installed under their names (its drop-in personas) does not stand in.
OTHER_INITS = {"tini": "/usr/bin/tini", "dumb-init": "/usr/bin/dumb-init",
               "catatonit": "/usr/bin/catatonit"}

# The variable that names the event log, and the one that marks every
# process a scenario starts so that cleanup finds them all.
EVENT_LOG_ENV = "EVENT_LOG"
TAG_ENV = "SCENARIO_TAG"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def helper(name):
    """The path of a built helper program."""
    path = HELPERS / name
    if not path.exists():
        pytest.fail(f"helper {path} is missing: run `make helpers`")
    return str(path)


def actor(name, *args):
    """The command line of an actor called NAME (see tests/helpers/actor.c)."""
    return [helper("actor"), name, *map(str, args)]


def sig_log_name(signum):
    """How the helpers name a signal in the event log: TERM, RTMIN+3."""
    signum = int(signum)
    if signal.SIGRTMIN <= signum <= signal.SIGRTMAX:
        offset = signum - signal.SIGRTMIN
        return "RTMIN" if offset == 0 else f"RTMIN+{offset}"
    return signal.Signals(signum).name[3:]


def sig_number(name):
    """TERM, RTMIN+3, RTMAX -> number."""
    if name.startswith("RTMIN"):
        return signal.SIGRTMIN + int(name[6:] or 0)
    if name == "RTMAX":
        return signal.SIGRTMAX
    return signal.Signals["SIG" + name]


def wait_until(cond, timeout=TIMEOUT, what="condition"):
    """Polls COND until it returns something true, and returns that; fails
    the test once TIMEOUT seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(0.005)


@dataclasses.dataclass
class Event:
    """One line of the event log: NAME PID EVENT [ARGS] [KEY=VALUE...] t=T."""

    name: str
    pid: int
    event: str
    args: list
    fields: dict
    t: float
    line: str

    @classmethod
    def parse(cls, line):
        words = line.split()
        args, fields = [], {}
        for word in words[3:]:
            key, eq, value = word.partition("=")
            if eq:
                fields[key] = value
            else:
                args.append(word)
        return cls(words[0], int(words[1]), words[2], args, fields,
                   float(fields.pop("t", "nan")), line)


class EventLog:
    """The file the helpers append their events to."""

    def __init__(self, path):
        self.path = Path(path)

    def events(self):
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        # A line is whole once its newline is written (one write per line).
        return [Event.parse(line) for line in text.split("\n")[:-1] if line]

    def of(self, name, event=None, arg=None):
        """The events of actor NAME, of one kind, with one first argument."""
        return [e for e in self.events()
                if e.name == name and (event is None or e.event == event)
                and (arg is None or (e.args and e.args[0] == arg))]

    def first(self, name, event, arg=None):
        found = self.of(name, event, arg)
        return found[0] if found else None

    def wait_for(self, name, event, arg=None, timeout=TIMEOUT):
        what = f"{name} {event}{' ' + arg if arg else ''} in {self.path.name}"
        try:
            return wait_until(lambda: self.first(name, event, arg), timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.dump()}") from None

    def wait_ready(self, *names, timeout=TIMEOUT):
        """Waits until each of NAMES has logged "ready"; returns their
        "start" events by name."""
        for name in names:
            self.wait_for(name, "ready", timeout=timeout)
        return {name: self.first(name, "start") for name in names}

    def dump(self):
        try:
            return "event log:\n" + self.path.read_text()
        except FileNotFoundError:
            return "event log: (empty)"


def proc_stat(pid):
    """(state, ppid, pgrp, session, flags) of a process, or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3]), int(fields[6])


def proc_field(pid, name):
    """A field of /proc/PID/status, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key == name:
                    return value.strip()
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def is_running(pid):
    """Whether PID exists and is not a zombie."""
    stat = proc_stat(pid)
    return stat is not None and stat[0] not in "ZX"


def tagged_pids(tag):
    """Every live process whose environment carries TAG."""
    needle = f"{TAG_ENV}={tag}".encode() + b"\0"
    found = []
    for pid in all_pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read() and is_running(pid):
                    found.append(pid)
        except OSError:
            pass
    return found


def inherited_sigign(ignore=()):
    """The SigIgn mask an init started by Run.start(ignore=IGNORE) inherits
    from its parent: the test's own ignored signals, less those subprocess
    resets, plus IGNORE (`make` itself leaves signals 32 and 33 ignored)."""
    argv = ["env"] + ([f"--ignore-signal={','.join(ignore)}"] if ignore else [])
    status = subprocess.run(argv + ["cat", "/proc/self/status"], check=True,
                            capture_output=True, text=True).stdout
    line = next(line for line in status.splitlines() if line.startswith("SigIgn:"))
    return int(line.split()[1], 16)


def init_options(init, mode, group=False, grace=None, verbose=0,
                 stop_signals=None, init_argv=None):
    """The init's own command line up to the workload, in its own syntax.
    Only grace knows --grace, -v and --stop-signals.  INIT_ARGV, when given,
    is that command line as it is (a persona's options, say)."""
    if init_argv is not None:
        return list(init_argv)
    if init == "grace":
        argv = [GRACE]
        argv += ["-g"] if group else []
        argv += ["--grace", str(grace)] if grace is not None else []
        argv += ["--stop-signals", stop_signals] if stop_signals else []
        argv += ["-v"] * verbose
        return argv + ["--"]
    if init in OTHER_INITS and not os.path.exists(OTHER_INITS[init]):
        pytest.skip(f"{OTHER_INITS[init]} is not installed")
    if init == "tini":
        argv = [OTHER_INITS["tini"]] + (["-g"] if group else [])
        return argv + (["-s"] if mode == "plain" else []) + ["--"]
    if init == "dumb-init":
        # dumb-init signals the child's group unless told --single-child.
        return [OTHER_INITS["dumb-init"]] + ([] if group else ["--single-child"]) + ["--"]
    if init == "catatonit":
        return [OTHER_INITS["catatonit"]] + (["-g"] if group else []) + ["--"]
    if init == "none":
        return []
    raise ValueError(init)


class Run:
    """One init over one workload.

    pid1: `unshare --pid --fork --mount-proc setsid INIT ... -- CMD`, so the
    init is PID 1 and a session leader, as under runc or crun.  plain: the
    init is an ordinary process (its own session) started by the test.
    """

    def __init__(self, workdir, name):
        self.workdir = workdir
        self.name = name
        self.tag = uuid.uuid4().hex
        self.log = EventLog(workdir / f"{name}.events")
        self.stdout_path = workdir / f"{name}.stdout"
        self.stderr_path = workdir / f"{name}.stderr"
        self.argv = []
        self.proc = None
        self.pidfd = None
        self.host_pid = None
        self.exit_code = None
        self.exited_at = None
        self.mode = None
        self.init = None
        self.entered = []
        self.exited = threading.Event()
        self.watcher = None

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if k not in ("ACTOR_INIT_PID", EVENT_LOG_ENV)}
        env[EVENT_LOG_ENV] = str(self.log.path)
        env[TAG_ENV] = self.tag
        env.update(extra or {})
        return env

    def start(self, cmd, init=None, mode="pid1", user=None, ignore=(),
              block=(), env=None, **options):
        """Starts CMD under INIT (by default the init under test).
        user="nobody" drops privileges before the init; IGNORE and BLOCK are
        signals the init's parent ignores and blocks.  OPTIONS go to
        init_options()."""
        init = init or UNDER_TEST
        self.mode, self.init = mode, init
        front = ["env"]
        front += [f"--ignore-signal={','.join(ignore)}"] if ignore else []
        front += [f"--block-signal={','.join(block)}"] if block else []
        drop = NOBODY if user == "nobody" else []
        argv = init_options(init, mode, **options) + list(cmd)
        if mode == "pid1":
            argv = front + ["unshare", "--pid", "--fork", "--kill-child",
                            "--mount-proc", "setsid"] + drop + argv
        else:
            argv = front + drop + argv
        self.argv = argv
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err,
                                         env=self.env(env),
                                         start_new_session=True)
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.watcher = threading.Thread(target=self._watch_exit, daemon=True)
        self.watcher.start()
        if mode == "pid1":
            # A workload may be over before it is seen: then there is no pid.
            self.host_pid = wait_until(
                lambda: self._namespace_init() or self.proc.poll() is not None,
                what="the namespace's PID 1")
            if self.host_pid is True:
                self.host_pid = None
        else:
            self.host_pid = self.proc.pid
        return self

    def _watch_exit(self):
        """Notes the moment the process started exits (in pid1 mode unshare,
        which exits as soon as it has reaped the namespace's PID 1)."""
        select.select([self.pidfd], [], [])
        self.exited_at = time.monotonic()
        self.exited.set()

    def _namespace_init(self):
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                children = f.read().split()
        except FileNotFoundError:
            return None
        return int(children[0]) if children else None

    # --- signals and commands -------------------------------------------

    def signal(self, sig):
        """Sends SIG to the init from the host (outside its namespace)."""
        os.kill(self.host_pid, sig)

    def host_pid_of(self, pid):
        """The host pid of PID as the helpers see it (their namespace)."""
        if self.mode != "pid1":
            return pid
        ns = os.readlink(f"/proc/{self.host_pid}/ns/pid")
        for candidate in all_pids():
            try:
                if (proc_field(candidate, "NSpid") or "").split()[-1:] == [str(pid)] \
                        and os.readlink(f"/proc/{candidate}/ns/pid") == ns:
                    return candidate
            except OSError:
                pass
        raise AssertionError(f"no process {pid} in the namespace")

    def kill_helper(self, pid, sig):
        """Sends SIG straight to a helper (its pid as the log gives it),
        bypassing the init."""
        os.kill(self.host_pid_of(pid), sig)

    def inside(self, argv, check=True):
        """Runs ARGV inside the init's PID and mount namespaces."""
        if self.mode == "pid1":
            argv = ["nsenter", "-t", str(self.host_pid), "-p", "-m", "--"] + list(argv)
        return subprocess.run(argv, check=check, capture_output=True, text=True,
                              timeout=TIMEOUT)

    def enter(self, argv, env=None):
        """Starts ARGV in the init's namespaces from outside, as `docker
        exec` does: in the namespace, but no descendant of the init."""
        assert self.mode == "pid1"
        argv = ["nsenter", "-t", str(self.host_pid), "-p", "-m", "--"] + list(argv)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                env=self.env(env), start_new_session=True)
        self.entered.append(proc)
        return proc

    # --- state ------------------------------------------------------------

    def init_pid_inside(self):
        """The init's pid as the helpers see it."""
        return 1 if self.mode == "pid1" else self.host_pid

    def running(self):
        return self.exit_code is None and is_running(self.host_pid)

    def zombie_children(self):
        """How many zombies the init has not reaped yet."""
        count = 0
        for pid in all_pids():
            stat = proc_stat(pid)
            if stat and stat[1] == self.host_pid and stat[0] == "Z":
                count += 1
        return count

    def voluntary_switches(self):
        return int(proc_field(self.host_pid, "voluntary_ctxt_switches"))

    def wait(self, timeout=TIMEOUT):
        """Waits for the init (in pid1 mode, unshare, which exits with its
        status) to exit; returns the exit code, -N for a death by signal N."""
        if self.exit_code is not None:
            return self.exit_code
        if not self.exited.wait(timeout):
            raise AssertionError(f"{self.init} did not exit within {timeout:.1f}s")
        self.exit_code = self.proc.wait()
        return self.exit_code

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def stdout(self):
        return self.stdout_path.read_text(errors="replace")

    def leftovers(self):
        """Processes of this run that are still alive."""
        return tagged_pids(self.tag)

    def cleanup(self):
        """Kills whatever is left of the run: the namespace's PID 1 takes the
        namespace with it; plain runs are found by their tag."""
        if self.proc is None:
            return
        if self.mode == "pid1" and self.proc.poll() is None and self.host_pid:
            try:
                os.kill(self.host_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in [self.proc] + self.entered:
            try:
                proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.watcher.join()
        os.close(self.pidfd)


def sanitizer_report(text):
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:"):
        if marker in text:
            return True
    return False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, for fixtures to look at."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def workdir():
    """A directory every user can write to (the helpers may run as nobody)."""
    path = Path(tempfile.mkdtemp(prefix="grace-scenario-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start(workdir, request):
    """start(cmd, init=..., mode=..., ...) -> a started Run; every run is
    killed with its whole tree at the end of the test, and grace's stderr is
    checked for sanitizer reports."""
    runs = []

    def starter(cmd, **kwargs):
        run = Run(workdir, f"run{len(runs)}")
        runs.append(run)
        # The helpers may run as nobody: let them create the log.
        run.log.path.touch(mode=0o666)
        run.log.path.chmod(0o666)
        return run.start(cmd, **kwargs)

    yield starter
    for run in runs:
        run.cleanup()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for run in runs:
            print(f"=== {run.name}: {' '.join(map(str, run.argv))}")
            print(f"exit code: {run.exit_code}")
            print(f"stderr:\n{run.stderr()}")
            print(run.log.dump())
    for run in runs:
        if run.init == "grace" and sanitizer_report(run.stderr()):
            pytest.fail(f"sanitizer report from grace:\n{run.stderr()}")


PERSONAS = ("tini", "docker-init", "dumb-init", "catatonit")


@pytest.fixture(scope="session")
def persona(tmp_path_factory):
    """persona(NAME) -> the path of grace under another init's name (a
    symlink, as `make install` makes them)."""
    where = tmp_path_factory.mktemp("personas")
    where.chmod(0o755)

    def path(name):
        link = where / name
        if not link.exists():
            link.symlink_to(GRACE)
        return str(link)

    return path


@pytest.fixture
def sibling(workdir):
    """Starts an actor outside any init's tree, as the test's own child."""
    procs = []

    def starter(name, *args):
        log = workdir / f"{name}.events"
        tag = uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if k != "ACTOR_INIT_PID"}
        env.update({EVENT_LOG_ENV: str(log), TAG_ENV: tag})
        proc = subprocess.Popen(actor(name, *args), env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        procs.append((proc, tag))
        return proc, EventLog(log)

    yield starter
    for proc, tag in procs:
        for pid in tagged_pids(tag):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=TIMEOUT)
