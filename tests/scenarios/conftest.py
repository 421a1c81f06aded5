# SPDX-License-Identifier: MIT
"""Runs an init (grace, tini, dumb-init, catatonit or none) over a workload of
test helpers, as PID 1 of a fresh PID namespace (unshare, or an OCI container
under runc or crun) or as a plain process, and reads the event log the
helpers write."""

import dataclasses
import json
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
# `make check-valgrind`: GRACE is tests/valgrind.sh, which runs grace under
# memcheck (and needs GRACE_BINARY in its environment).
VALGRIND = os.environ.get("GRACE_VALGRIND") == "1"


def skip_under_valgrind(reason):
    """Skips a scenario that cannot mean anything with grace under
    valgrind, saying why."""
    if VALGRIND:
        pytest.skip(f"not under valgrind: {reason}")

# Deadlines stretch under the sanitizers; they bound waits, they never pace.
SLOW = 3.0 if SANITIZED else 1.0
TIMEOUT = 5.0 * SLOW

INITS = ("grace", "tini", "dumb-init", "catatonit", "none")
# The init the scenarios hold to grace's contract: grace, unless another
# one is named to see where it falls short (SCENARIO_INIT=tini).
UNDER_TEST = os.environ.get("SCENARIO_INIT", "grace")
assert UNDER_TEST in INITS, f"SCENARIO_INIT={UNDER_TEST}: not one of {INITS}"
MODES = ("pid1", "plain")

# What starts the init as PID 1: a bare PID namespace (unshare), or an OCI
# container run by runc or crun, as `docker run` would.
RUNTIMES = ("unshare", "runc", "crun")
# Where an init runs, as (mode, runtime): PID 1 under each runtime, or a
# plain process.  The ids are the runtimes' names and "plain".
PLACES = [pytest.param("pid1", runtime, id=runtime) for runtime in RUNTIMES] \
    + [pytest.param("plain", None, id="plain")]

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


def shorten(text, room=20000):
    """TEXT, or when longer than ROOM characters its start and its end."""
    if len(text) <= room:
        return text
    half = room // 2
    return (f"{text[:half]}\n[... {len(text) - 2 * half} characters left "
            f"out ...]\n{text[-half:]}")


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


class PipeReader:
    """Reads one of the init's outputs, a pipe, into its file as it comes,
    from a thread of its own, until every writer has closed it; a stalled
    reader reads nothing until resumed, so the writers find the pipe full.
    PACE, (BYTES, SECONDS): a slow reader, that takes at most BYTES a read
    and pauses SECONDS after each."""

    def __init__(self, pipe, path, stalled=False, pace=None):
        self.pipe = pipe
        self.path = path
        self.chunk, self.pause = pace or (1 << 16, 0.0)
        self.go = threading.Event()
        self.done = threading.Event()
        if not stalled:
            self.go.set()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        with open(self.path, "wb") as out:
            self.go.wait()
            while True:
                data = os.read(self.pipe.fileno(), self.chunk)
                if not data:
                    break
                out.write(data)
                out.flush()
                if self.pause:
                    time.sleep(self.pause)
        self.done.set()

    def resume(self):
        self.go.set()

    def close(self, timeout):
        """Reads to the end (the run is over) and closes the pipe; a pipe
        some process still holds is left to the thread."""
        self.go.set()
        self.thread.join(timeout)
        if not self.thread.is_alive():
            self.pipe.close()


class Run:
    """One init over one workload.

    pid1: `unshare --pid --fork --mount-proc setsid INIT ... -- CMD`, so the
    init is PID 1 and a session leader, as under runc or crun (ContainerRun
    runs it under those).  plain: the init is an ordinary process (its own
    session) started by the test.
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
        self.readers = {}
        self.joined = False

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if k not in ("ACTOR_INIT_PID", EVENT_LOG_ENV)}
        env[EVENT_LOG_ENV] = str(self.log.path)
        env[TAG_ENV] = self.tag
        # Each grace its own control socket, where gracectl finds it too:
        # never the host's /run/grace/control, which unshare shares.
        env["GRACE_CONTROL"] = f"@grace-test-{self.tag}"
        env.update(extra or {})
        return env

    def start(self, cmd, init=None, mode="pid1", user=None, ignore=(),
              block=(), env=None, pipes=False, stalled=(), paced=None,
              joined=False, **options):
        """Starts CMD under INIT (by default the init under test).
        user="nobody" (or a uid) drops privileges before the init; IGNORE and BLOCK are
        signals the init's parent ignores and blocks.  PIPES: the init's
        stdout and stderr are pipes the test reads (into the same files),
        not the files themselves; those of STALLED ("stdout", "stderr") are
        not read until resume(); PACED maps a stream to the (BYTES,
        SECONDS) of a slow reader (PipeReader).  JOINED: the init's stderr
        is its stdout (2>&1), one file or one pipe, read into the stdout
        file.  OPTIONS go to init_options()."""
        init = init or UNDER_TEST
        self.mode, self.init = mode, init
        argv = init_options(init, mode, **options) + list(cmd)
        self.argv = self.launcher(argv, user, ignore, block, env)
        assert pipes or not (stalled or paced), "stalled=, paced= need pipes=True"
        self.joined = joined
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            stdout = subprocess.PIPE if pipes else out
            stderr = (subprocess.STDOUT if joined
                      else subprocess.PIPE if pipes else err)
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=stdout, stderr=stderr,
                                         env=self.launcher_env(env),
                                         start_new_session=True)
        if pipes:
            for stream, path in (("stdout", self.stdout_path),
                                 ("stderr", self.stderr_path)):
                pipe = getattr(self.proc, stream)
                if pipe is not None:
                    self.readers[stream] = PipeReader(
                        pipe, path, stream in stalled, (paced or {}).get(stream))
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.watcher = threading.Thread(target=self._watch_exit, daemon=True)
        self.watcher.start()
        self.host_pid = self.find_init()
        return self

    def launcher(self, argv, user, ignore, block, env):
        """The command line that starts the init's ARGV as start() asks."""
        front = ["env"]
        front += [f"--ignore-signal={','.join(ignore)}"] if ignore else []
        front += [f"--block-signal={','.join(block)}"] if block else []
        drop = (NOBODY if user == "nobody"
                else ["setpriv", f"--reuid={user}", f"--regid={user}",
                      "--clear-groups"] if isinstance(user, int) else [])
        if self.mode == "pid1":
            return front + ["unshare", "--pid", "--fork", "--kill-child",
                            "--mount-proc", "setsid"] + drop + argv
        return front + drop + argv

    def launcher_env(self, env):
        """The environment of the launcher, which the init inherits."""
        return self.env(env)

    def find_init(self):
        """The init's host pid, once it exists."""
        if self.mode != "pid1":
            return self.proc.pid
        # A workload may be over before it is seen: then there is no pid.
        pid = wait_until(
            lambda: self._namespace_init() or self.proc.poll() is not None,
            what="the namespace's PID 1")
        return None if pid is True else pid

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
        # gracectl finds this grace's socket, as one run in its image would.
        env = dict(os.environ, GRACE_CONTROL=self.env()["GRACE_CONTROL"])
        return subprocess.run(argv, check=check, capture_output=True, text=True,
                              timeout=TIMEOUT, env=env)

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
        """What the init wrote on its stderr (joined: on its stdout, the
        same file)."""
        path = self.stdout_path if self.joined else self.stderr_path
        return path.read_text(errors="replace")

    def resume(self, stream):
        """Starts reading STREAM ("stdout", "stderr"), started stalled."""
        self.readers[stream].resume()

    def drained(self, timeout=TIMEOUT):
        """Waits until the init's outputs are read to their end, when they
        are pipes (files are whole once the init has exited); every writer
        must be gone for that."""
        for stream, reader in self.readers.items():
            if not reader.done.wait(timeout):
                raise AssertionError(f"{stream} not closed within {timeout:.1f}s")

    def report(self):
        """What a failed test shows of this run (of a long stderr, its
        start and end)."""
        return (f"=== {self.name}: {' '.join(map(str, self.argv))}\n"
                f"exit code: {self.exit_code}\n"
                f"stderr:\n{shorten(self.stderr())}\n{self.log.dump()}")

    def stdout(self):
        return self.stdout_path.read_text(errors="replace")

    def leftovers(self):
        """Processes of this run that are still alive."""
        return tagged_pids(self.tag)

    def kill_init(self):
        """Kills the namespace's PID 1, which takes the namespace with it."""
        if self.mode == "pid1" and self.proc.poll() is None and self.host_pid:
            try:
                os.kill(self.host_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def cleanup(self):
        """Kills whatever is left of the run: the init and its namespace,
        then every process found by its tag (all of a plain run)."""
        if self.proc is None:
            return
        self.kill_init()
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
        for reader in self.readers.values():
            reader.close(TIMEOUT)


# --- OCI containers ---------------------------------------------------------

# Debian's busybox-static: the shell and kill of a container's rootfs.
BUSYBOX = "/bin/busybox"
APPLETS = ("sh", "kill", "true", "sleep", "cat", "ps")

# What Docker grants a container by default.
CAPABILITIES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
                "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
                "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]

# Passed on into containers, so that a sanitized grace reads them there too.
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")

# crun 1.8 refuses a host with hybrid cgroups ("cgroups in hybrid mode not
# supported").  It runs there in a mount namespace of its own, with a pure
# cgroup2 mounted on /sys/fs/cgroup and no cgroup manager; the host's
# /sys/fs/cgroup is left as it is.
PRIVATE_CGROUP2 = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"', "sh"]

# The ways a runtime may run containers here, tried in this order: what
# the way is called, a command that wraps the runtime, its global options.
RUNTIME_WAYS = {
    "runc": [("as it is", [], [])],
    "crun": [("as it is", [], []),
             ("in a private cgroup2 mount", PRIVATE_CGROUP2,
              ["--cgroup-manager=disabled"])],
}


def shared_libraries(program):
    """The shared libraries PROGRAM loads, the loader among them, as ldd
    finds them; none for a static program."""
    found = subprocess.run(["ldd", program], capture_output=True, text=True)
    if found.returncode != 0:
        return []  # "not a dynamic executable"
    # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)",
    # "/lib64/ld-linux-x86-64.so.2 (0x...)", "linux-vdso.so.1 (0x...)"
    return [word for line in found.stdout.splitlines()
            for word in line.split()[:3] if word.startswith("/")]


def rootfs_unfit():
    """Why the scenarios' containers cannot hold what they should run, or
    None.  Fails the test when grace or the helpers are not built."""
    if not os.path.exists(GRACE) or not HELPERS.is_dir():
        pytest.fail(f"{GRACE} or {HELPERS} is missing: run `make all helpers`")
    if not os.path.exists(BUSYBOX):
        return f"{BUSYBOX} is missing: containers need busybox-static"
    with open(GRACE, "rb") as f:
        if f.read(4) != b"\x7fELF":
            # tests/valgrind.sh, say: it needs valgrind and the host's tools.
            return (f"GRACE={GRACE} is no ELF program: a container holds "
                    "grace, its libraries and busybox, nothing more")
    return None


def build_rootfs(root):
    """Fills ROOT with what containers run: busybox and its applets in /bin,
    grace, the helpers and the other inits, each at its path on the host
    (so a command line reads the same inside and outside), and the libraries
    they load."""
    programs = [BUSYBOX, GRACE] + \
        sorted(str(path) for path in HELPERS.iterdir() if path.is_file()) + \
        [path for path in OTHER_INITS.values() if os.path.exists(path)]
    for program in programs:
        for path in [program] + shared_libraries(program):
            copy = root / path.lstrip("/")
            if not copy.exists():
                copy.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                shutil.copy2(path, copy)
    for applet in APPLETS:
        (root / "bin" / applet).symlink_to("busybox")
    for mountpoint in ("proc", "dev", "sys", "tmp"):
        (root / mountpoint).mkdir(mode=0o755, exist_ok=True)


def oci_config(args, env, rootfs, binds, user=None):
    """A container's config.json, much as `runc spec` writes it: no
    terminal, a read-only ROOTFS, the host's directories BINDS at their own
    paths, Docker's default capabilities, and root or (USER "nobody")
    nobody."""
    uid = 65534 if user == "nobody" else 0
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": uid, "gid": uid},
            "args": [str(arg) for arg in args],
            "env": [f"{key}={value}" for key, value in env.items()],
            "cwd": "/",
            "capabilities": {kind: CAPABILITIES
                             for kind in ("bounding", "effective", "permitted")},
            "noNewPrivileges": True,
        },
        "root": {"path": str(rootfs), "readonly": True},
        "hostname": "scenario",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ] + [{"destination": str(path), "type": "bind", "source": str(path),
              "options": ["rbind", "rw"]} for path in binds],
        "linux": {"namespaces": [{"type": kind} for kind in
                                 ("pid", "ipc", "uts", "mount", "network")]},
    }


class Runtime:
    """An OCI runtime (runc or crun) as it runs containers on this machine:
    with a state directory of the session's own, the rootfs every container
    shares, and the command that wraps it, if it needs one."""

    def __init__(self, name, where, rootfs, way, wrapper, options):
        self.name = name
        self.way = way
        self.state = where / f"{name}-state"
        self.rootfs = rootfs
        self.wrapper = list(wrapper)
        self.options = list(options)

    def command(self, *args):
        """A command line for a container that runs already (kill, exec,
        delete)."""
        return [self.name, "--root", str(self.state), *map(str, args)]

    def run_command(self, bundle, container_id, pid_file=None, log=None):
        """The command line that runs a container in the foreground: it
        exits with the container's status.  The runtime's own messages go to
        LOG, so the container's stderr is the init's alone."""
        argv = self.wrapper + [self.name, "--root", str(self.state)] + self.options
        argv += [f"--log={log}"] if log else []
        argv += ["run", "--bundle", str(bundle)]
        argv += ["--pid-file", str(pid_file)] if pid_file else []
        return argv + [container_id]

    @classmethod
    def find(cls, name, where, rootfs):
        """NAME as it runs a container here (one that runs busybox true),
        or, when it cannot, the reason."""
        if shutil.which(name) is None:
            return f"{name} is not installed"
        reasons = []
        for way, wrapper, options in RUNTIME_WAYS[name]:
            runtime = cls(name, where, rootfs, way, wrapper, options)
            runtime.state.mkdir(exist_ok=True)
            bundle = Path(tempfile.mkdtemp(prefix=f"probe-{name}-", dir=where))
            config = oci_config(["/bin/true"], {"PATH": "/bin"}, rootfs, [])
            (bundle / "config.json").write_text(json.dumps(config))
            container_id = f"grace-probe-{uuid.uuid4().hex[:12]}"
            try:
                probe = subprocess.run(runtime.run_command(bundle, container_id),
                                       stdin=subprocess.DEVNULL,
                                       capture_output=True, text=True,
                                       timeout=TIMEOUT)
                if probe.returncode == 0:
                    return runtime
                lines = (probe.stderr or probe.stdout).strip().splitlines()
                why = lines[-1] if lines else f"exit {probe.returncode}"
            except subprocess.TimeoutExpired:
                why = f"no container ran within {TIMEOUT:.0f}s"
            reasons.append(f"{way}: {why}")
            subprocess.run(runtime.command("delete", "-f", container_id),
                           capture_output=True, timeout=TIMEOUT)
        return f"{name} cannot run a container here: {'; '.join(reasons)}"


class Containers:
    """The rootfs every container of the session shares, read-only, and the
    runtimes that can run containers on this machine; made on first use."""

    def __init__(self):
        self.where = None
        self.runtimes = {}

    def rootfs(self):
        """The rootfs, built on first use; skips the test, with the reason,
        when it cannot hold what the scenarios run."""
        unfit = rootfs_unfit()
        if unfit:
            pytest.skip(unfit)
        if self.where is None:
            self.where = Path(tempfile.mkdtemp(prefix="grace-oci-"))
            (self.where / "rootfs").mkdir(mode=0o755)
            build_rootfs(self.where / "rootfs")
        return self.where / "rootfs"

    def runtime(self, name):
        """The runtime NAME, ready to run containers; skips the test, with
        the reason, when it cannot run one here."""
        if name not in self.runtimes:
            rootfs = self.rootfs()
            self.runtimes[name] = Runtime.find(name, self.where, rootfs)
        found = self.runtimes[name]
        if isinstance(found, str):
            pytest.skip(found)
        return found

    def remove(self):
        if self.where is not None:
            shutil.rmtree(self.where, ignore_errors=True)


class ContainerRun(Run):
    """The init as PID 1 of an OCI container that runc or crun runs in the
    foreground, as `docker run` does: its `run` exits with the container's
    status.  Signals go through `RUNTIME kill ID SIG` (`docker stop` sends
    SIGTERM so), commands enter with `RUNTIME exec` (as `docker exec` does),
    and the workdir is bind-mounted at its own path, so the event log's path
    is the same inside and outside.  Only what runs in the container carries
    the run's tag."""

    def __init__(self, workdir, name, runtime):
        super().__init__(workdir, name)
        self.runtime = runtime
        self.id = f"grace-{self.tag[:16]}"
        self.bundle = workdir / f"{name}.bundle"
        self.pid_file = workdir / f"{name}.pid"
        self.runtime_log = workdir / f"{name}.{runtime.name}.log"

    def inside_env(self, env=None):
        """The environment of a process in the container: small, as an
        image's."""
        inside = {"PATH": "/bin"}
        inside.update({k: v for k, v in os.environ.items() if k in SANITIZER_ENV})
        inside.update({EVENT_LOG_ENV: str(self.log.path), TAG_ENV: self.tag})
        inside.update(env or {})
        return inside

    def env_options(self, env=None):
        return [word for key, value in self.inside_env(env).items()
                for word in ("--env", f"{key}={value}")]

    def launcher(self, argv, user, ignore, block, env):
        if self.mode != "pid1" or ignore or block:
            raise ValueError(f"under {self.runtime.name} the init runs as "
                             "PID 1 with the signal state the runtime gives it")
        self.bundle.mkdir()
        config = oci_config(argv, self.inside_env(env), self.runtime.rootfs,
                            [self.workdir], user)
        (self.bundle / "config.json").write_text(json.dumps(config, indent=1))
        return self.runtime.run_command(self.bundle, self.id, self.pid_file,
                                        self.runtime_log)

    def launcher_env(self, env):
        """The runtime's own environment; the container's is in its config."""
        return dict(os.environ)

    def find_init(self):
        """The container's init as the runtime's pid file names it; the
        runtime writes it before the init runs."""
        def written():
            try:
                text = self.pid_file.read_text().strip()
            except FileNotFoundError:
                return None
            return int(text) if text.isdigit() else None

        pid = wait_until(lambda: written() or self.proc.poll() is not None,
                         what=f"{self.runtime.name}'s pid file")
        return None if pid is True else pid

    def tool(self, *args):
        """Runs `RUNTIME ARGS` for this container; fails the test when the
        runtime does."""
        argv = self.runtime.command(*args)
        done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)}: exit {done.returncode}: "
                                 f"{done.stderr.strip()}")
        return done

    def signal(self, sig):
        """Sends SIG to the init as `docker stop` and `docker kill` do."""
        self.tool("kill", self.id, int(sig))

    def inside(self, argv, check=True):
        """Runs ARGV in the container with `RUNTIME exec`."""
        argv = self.runtime.command("exec", *self.env_options(), self.id, *argv)
        return subprocess.run(argv, check=check, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT)

    def enter(self, argv, env=None):
        """Starts ARGV in the container with `RUNTIME exec`: in the
        container's namespaces, but no descendant of the init."""
        argv = self.runtime.command("exec", *self.env_options(env), self.id,
                                    *argv)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.entered.append(proc)
        return proc

    def kill_init(self):
        """`RUNTIME delete -f`, while the runtime still has the container
        (its `run` deletes it on the way out)."""
        if (self.runtime.state / self.id).exists():
            subprocess.run(self.runtime.command("delete", "-f", self.id),
                           capture_output=True, timeout=TIMEOUT)

    def report(self):
        try:
            log = self.runtime_log.read_text(errors="replace")
        except FileNotFoundError:
            log = "(none)"
        return (f"{super().report()}\n{self.runtime.name} "
                f"({self.runtime.way}) log:\n{log}")


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


@pytest.fixture(scope="session")
def containers():
    """The OCI runtimes and the rootfs the session's containers share."""
    found = Containers()
    yield found
    found.remove()


@pytest.fixture
def start(workdir, request, containers):
    """start(cmd, init=..., mode=..., runtime=..., ...) -> a started Run:
    under RUNTIME "runc" or "crun", a ContainerRun (the runtime is skipped,
    with the reason, where it cannot run); every run is killed with its whole
    tree at the end of the test, and grace's stderr is checked for sanitizer
    reports."""
    runs = []

    def starter(cmd, runtime=None, **kwargs):
        name = f"run{len(runs)}"
        if runtime in (None, "unshare"):
            run = Run(workdir, name)
        else:
            run = ContainerRun(workdir, name, containers.runtime(runtime))
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
            print(run.report())
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


@pytest.fixture
def gracectl(workdir):
    """The path of grace's binary under the name gracectl, as `make
    install` makes it: a symlink, in the workdir (which the namespaces see
    too).  Under valgrind, the binary itself: gracectl is a client, and
    valgrind checks the grace it talks to."""
    link = workdir / "gracectl"
    link.symlink_to(os.environ.get("GRACE_BINARY", GRACE))
    return str(link)
