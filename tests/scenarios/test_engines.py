# SPDX-License-Identifier: MIT
"""grace under the real engines its users run it with: Docker (`--init`
with grace as docker-init, or grace as the ENTRYPOINT) and Podman (`--init
--init-path`), each scenario under both (engines.py starts them).  Where
tini fails a scenario, it runs again with Debian's tini-static as the init,
asserting the failure.

Timings come from the event log (CLOCK_MONOTONIC) and from the time the
engine recorded for a container's exit, never from how long a test took."""

import json
import os
import pty
import re
import select
import shutil
import signal
import time

import pytest

from conftest import REPO, SANITIZED, TIMEOUT, wait_until
from engines import (COMMAND_TIMEOUT, ENGINES, GRACE_STATIC, SERVICES_DIR,
                     STATIC_HELPERS, TINI_STATIC, Box, Engines, run_tool,
                     unavailable)

pytestmark = pytest.mark.skipif(
    SANITIZED, reason="the engine scenarios run once, in the plain pass: "
    "containers run the static grace, neither sanitized nor under valgrind")

INITS = ("grace", "tini")
# The engines' own stop timeout, given explicitly: SIGKILL after 10 s.
STOP_TIMEOUT = 10
# Headroom for the engine between grace's exit and its record of it.
ENGINE_SLACK = 3.0
# Rounding of the event log's and the engine's clocks against each other.
CLOCK_SLACK = 0.05


@pytest.fixture(scope="module")
def engines():
    """The engines, started on first use and torn down after this module,
    so that no daemon idles through the rest of the suite."""
    found = Engines()
    yield found
    found.close()


@pytest.fixture(params=ENGINES)
def engine(request, engines):
    """Each engine in turn; skipped, with the reason, where it cannot run."""
    return engines.get(request.param)


@pytest.fixture
def boxes(request, workdir):
    """boxes(role, engine) -> a Box, removed at the end of the test and
    shown when the test fails.  The event log is writable by every user."""
    (workdir / "events").touch(mode=0o666)
    (workdir / "events").chmod(0o666)
    made = []

    def make(role, engine):
        box = Box(engine, workdir, role)
        made.append(box)
        return box

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for box in made:
            print(box.report())
        if made:
            print(made[0].log.dump())
    for box in reversed(made):
        box.remove()


def need_tini(init):
    if init == "tini" and not os.path.exists(TINI_STATIC):
        unavailable(f"{TINI_STATIC} is missing: install tini")


def event(box, name, kind, arg=None):
    found = box.log.first(name, kind, arg)
    what = f"{kind} {arg}" if arg else kind
    assert found is not None, f"{name} never logged {what}\n{box.log.dump()}"
    return found


# --- stop --------------------------------------------------------------------

# A shell-wrapped tree with slow SIGTERM handlers: a child of the shell, one
# in a session of its own, and one in its own session that the shell's
# child left behind (an orphan).  Each handler's length, in ms.
HANDLERS = {"a": 600, "s": 800, "d": 700}
PLACES = {"a": "", "s": "--setsid ", "d": "--double-fork --setsid "}
TREE = " & ".join(f"/h/actor {name} {PLACES[name]}--term-ms {ms}"
                  for name, ms in HANDLERS.items()) + " & wait"


@pytest.mark.parametrize("init", INITS)
def test_stop_waits_for_every_handler(engine, boxes, init):
    """`stop` SIGTERMs the init; grace forwards it to the shell, which
    dies of it, then SIGTERMs everyone left and waits for every handler:
    the container ends with the shell's 143 once the slowest handler is
    done, long before the engine's SIGKILL (which would make it 137).
    tini exits as soon as the shell has, and the kernel kills the rest
    before any of them has heard of the stop."""
    need_tini(init)
    box = boxes("tree", engine).run(["/bin/sh", "-c", TREE], init=init,
                                    env={"ACTOR_INIT_PID": "1"})
    box.log.wait_ready(*HANDLERS)
    box.stop(STOP_TIMEOUT)
    assert box.wait() == 143
    if init == "tini":
        for name in HANDLERS:
            assert box.log.first(name, "term") is None, box.log.dump()
            assert box.log.first(name, "done") is None, box.log.dump()
        return
    dones = []
    for name, ms in HANDLERS.items():
        term = event(box, name, "term")
        done = event(box, name, "done")
        assert term.fields["from"] == "1", term.line
        assert done.fields["init"] == "alive", done.line
        assert done.t - term.t >= ms / 1000, done.line
        dones.append(done.t)
    first_term = min(event(box, name, "term").t for name in HANDLERS)
    finished = box.finished_at()
    assert finished > max(dones) - CLOCK_SLACK
    slowest = max(HANDLERS.values()) / 1000
    assert finished - first_term < slowest + ENGINE_SLACK, \
        f"the stop took {finished - first_term:.2f}s"


@pytest.mark.parametrize("init", INITS)
def test_entered_process_finishes_its_handler(engine, boxes, init):
    """A process entered with `exec` is no descendant of the init; grace,
    as PID 1, SIGTERMs every process of the namespace at the stop and waits
    for it too.  tini leaves with its child, and the visitor is killed
    without a SIGTERM."""
    need_tini(init)
    box = boxes("main", engine).run(["/h/actor", "main"], init=init)
    box.log.wait_ready("main")
    box.exec(["/h/actor", "visitor", "--term-ms", "700"],
             env={"ACTOR_INIT_PID": "1"}, detach=True)
    box.log.wait_ready("visitor")
    box.stop(STOP_TIMEOUT)
    assert box.wait() == 143
    if init == "tini":
        assert box.log.first("visitor", "term") is None, box.log.dump()
        assert box.log.first("visitor", "done") is None, box.log.dump()
        return
    term = event(box, "visitor", "term")
    done = event(box, "visitor", "done")
    assert term.fields["from"] == "1"
    assert term.t > event(box, "main", "raise").t
    assert done.fields["init"] == "alive"
    assert box.finished_at() > done.t - CLOCK_SLACK


@pytest.mark.parametrize("init", INITS)
def test_kill_1_from_inside_stops_the_container(engine, boxes, init):
    """busybox's `kill 1` in the container works as a `stop` from outside:
    the main process gets SIGTERM, then its child in a session of its own,
    and the container ends with the main process's status.  tini passes
    the SIGTERM on too, but leaves as the main process exits, before the
    child has heard of the stop."""
    need_tini(init)
    box = boxes("main", engine).run(
        ["/h/actor", "main", "--term-exit", "0",
         "[", "side", "--setsid", "--term-ms", "300", "]"],
        init=init, env={"ACTOR_INIT_PID": "1"})
    box.log.wait_ready("main", "side")
    # kill may still be there for the sweep of the stop that it started:
    # grace's SIGTERM (143), or, under tini, the kernel's SIGKILL when
    # tini leaves (137).
    assert box.exec(["/bin/kill", "1"], check=False).returncode in (
        (0, 143, 137) if init == "tini" else (0, 143))
    assert box.wait() == 0
    assert event(box, "main", "term").fields["from"] == "1"
    if init == "tini":
        assert box.log.first("side", "term") is None, box.log.dump()
        assert box.log.first("side", "done") is None, box.log.dump()
        return
    assert event(box, "side", "term").fields["from"] == "1"
    assert event(box, "side", "done").fields["init"] == "alive"


# --- exit codes and signals --------------------------------------------------

@pytest.mark.parametrize("cmd, code, message", [
    pytest.param(["/bin/sh", "-c", "exit 3"], 3, None, id="3"),
    pytest.param(["/bin/sh", "-c", "kill -TERM $$"], 143, None, id="143"),
    pytest.param(["/nonexistent"], 127,
                 "grace: unable to exec /nonexistent: "
                 "No such file or directory",
                 id="127"),
    pytest.param(["/noexec"], 126,
                 "grace: unable to exec /noexec: Permission denied", id="126"),
])
def test_exit_code(engine, boxes, cmd, code, message):
    """The container's exit code is the main process's: its status, 128+N
    for a death by signal N, 127 for a command that is not there and 126
    for one that cannot be executed, each said by grace on stderr."""
    box = boxes("exit", engine).run(cmd)
    assert box.wait() == code
    if message is not None:
        assert message in box.logs()[1]


def test_kill_signals_reach_the_main_process(engine, boxes):
    """`kill -s SIG` sends SIG to the init, which passes it on."""
    box = boxes("main", engine).run(["/h/actor", "main"])
    box.log.wait_ready("main")
    for sig in ("HUP", "USR1", "USR2", "WINCH"):
        box.kill(sig)
        got = box.log.wait_for("main", "sig", sig)
        assert got.fields["from"] == "1", got.line
    box.stop(STOP_TIMEOUT)
    assert box.wait() == 143


def test_user_1000_runs_a_setpgid_daemon(engine, boxes):
    """As --user 1000, grace (PID 1) starts the main process in a group of
    its own but in grace's session, so a daemon that calls setpgid(0, 0)
    first, as dcron does, may."""
    box = boxes("daemon", engine).run(["/h/pgdaemon"], user=1000)
    ready = box.log.wait_for("pgdaemon", "ready")
    assert ready.fields["pgid"] == str(ready.pid)
    assert ready.fields["sid"] == "1"
    status = box.exec(["/bin/cat", "/proc/1/status"]).stdout
    assert re.search(r"^Uid:\s+1000\s", status, re.M), status
    box.stop(STOP_TIMEOUT)
    assert box.wait() == 0
    event(box, "pgdaemon", "term")


# --- a terminal --------------------------------------------------------------

class Terminal:
    """The engine's client on the other side of a pseudo-terminal."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.seen = b""
        self.pos = 0
        self.status = None

    def send(self, text):
        os.write(self.fd, text.encode())

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the client has gone
            data = b""
        self.seen += data
        return bool(data)

    def expect(self, pattern, timeout=TIMEOUT):
        """Waits for PATTERN in the output after what was expected last."""
        regex = re.compile(pattern.encode())
        deadline = wait_deadline(timeout)
        while True:
            match = regex.search(self.seen, self.pos)
            if match:
                self.pos = match.end()
                return match
            left = deadline()
            if left <= 0 or not self._read(left):
                shown = self.seen.decode(errors="replace")
                raise AssertionError(f"no {pattern!r} on the terminal; it "
                                     f"showed:\n{shown}")

    def wait(self, timeout=TIMEOUT):
        """The client's exit status, reading what it still writes."""
        def exited():
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                self._read(0.01)
                return None
            self.status = os.waitstatus_to_exitcode(status)
            return True

        wait_until(exited, timeout, "the engine's client to exit")
        return self.status

    def close(self):
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def wait_deadline(timeout):
    """A function giving the seconds left until TIMEOUT from now."""
    end = time.monotonic() + timeout
    return lambda: end - time.monotonic()


def test_interactive_shell_on_a_terminal(engine, boxes):
    """`run -it` on a real pseudo-terminal: grace makes the shell the
    terminal's foreground, so Ctrl-C interrupts the shell's foreground job
    (a sleeper that says when it runs) and not the shell, and `exit 5`
    ends the container with 5."""
    box = boxes("tty", engine)
    argv = engine.command(*box.run_args(["/bin/sh"], mode=("-it",)))
    term = Terminal(argv, engine.env)
    try:
        # The prompt is set so that its echo is not itself.
        term.send("PS1=pty-'ready> '\n")
        term.expect(r"pty-ready> ", timeout=COMMAND_TIMEOUT)
        term.send("/h/actor sleeper --catch TERM\n")
        box.log.wait_ready("sleeper")
        term.send("\x03")
        term.expect(r"pty-ready> ")
        term.send("echo status=$?\n")
        term.expect(r"status=130")
        term.send("exit 5\n")
        assert term.wait() == 5
    finally:
        term.close()


# --- the engines' own views --------------------------------------------------

def test_docker_version_shows_grace(engines):
    """Docker runs `docker-init --version` and reads it in tini's format;
    grace under that name answers so, and `docker version` shows grace's
    version."""
    docker = engines.get("docker")
    docker.use_init(GRACE_STATIC)
    own = run_tool([docker.init_link, "--version"]).stdout.split()
    assert own[:2] == ["tini", "version"] and own[2].endswith("_grace"), own
    components = json.loads(docker.tool(
        "version", "--format", "{{json .Server.Components}}").stdout)
    shown = {c["Name"]: c["Version"] for c in components}
    assert shown.get("docker-init") == own[2], components


# --- Kubernetes: a shared process namespace ----------------------------------

# The app container's command: it notes grace's pid (the shell's parent),
# then runs the tree of the stop scenario.
SHARED_APP = ("echo $PPID >/ev/init.pid; export ACTOR_INIT_PID=$PPID; " + TREE)


@pytest.mark.parametrize("init", INITS)
def test_shared_pid_namespace_stop_reaches_the_whole_tree_only(engine, boxes,
                                                               workdir, init):
    """A pod with shareProcessNamespace: a pause-like container is PID 1
    (an actor that waits), grace the ENTRYPOINT of the app container with
    `--pid container:PAUSE` (Docker skips --init there), and a third
    container shares the namespace too.  Stopping the app container
    reaches grace's whole tree, the processes in sessions of their own and
    the orphan included (grace is a subreaper and walks its descendants),
    and nothing outside it.  tini, as the entrypoint with -s, leaves with
    the shell, and the rest die without their handlers."""
    need_tini(init)
    pause = boxes("pause", engine).run(["/h/actor", "pause"], init=None)
    assert pause.log.wait_for("pause", "ready").pid == 1
    shared = f"container:{pause.name}"
    entry = "/bin/grace" if init == "grace" else TINI_STATIC
    options = ["--"] if init == "grace" else ["-s", "--"]
    app = boxes("app", engine).run(options + ["/bin/sh", "-c", SHARED_APP],
                                   init=None, entrypoint=entry, pid=shared)
    third = boxes("third", engine).run(["/h/actor", "third"], init=None,
                                       pid=shared)
    app.log.wait_ready("third", *HANDLERS)
    init_pid = (workdir / "init.pid").read_text().strip()
    assert init_pid != "1"
    app.stop(STOP_TIMEOUT)
    assert app.wait() == 143
    pids = {str(event(app, name, "start").pid) for name in HANDLERS}

    def killed():
        """The tree's processes that PID 1, the pause container, reaped
        after a SIGKILL: what the engine kills once the entrypoint has
        gone is orphaned to it."""
        return {e.fields["child"] for e in app.log.of("pause", "reaped")
                if e.fields.get("signal") == "KILL"} & pids

    if init == "grace":
        for name in HANDLERS:
            term = event(app, name, "term")
            assert term.fields["from"] == init_pid, term.line
            assert event(app, name, "done").fields["init"] == "alive"
        assert not killed(), app.log.dump()
    else:
        for name in HANDLERS:
            assert app.log.first(name, "done") is None, app.log.dump()
        wait_until(lambda: killed() == pids, what="the tree killed")
    for name in ("pause", "third"):
        signalled = [e for e in app.log.of(name) if e.event in ("sig", "term")]
        assert not signalled, app.log.dump()
    assert pause.running() and third.running()


def test_shared_pid_namespace_has_no_engine_init(engine, boxes):
    """Why grace is the ENTRYPOINT there: with `--pid container:NAME`,
    Docker runs the command without its --init, saying nothing, and Podman
    refuses --init."""
    pause = boxes("pause", engine).run(["/h/actor", "pause"], init=None)
    pause.log.wait_ready("pause")
    box = boxes("ps", engine)
    argv = box.run_args(["/bin/ps", "-o", "pid,args"], mode=(),
                        pid=f"container:{pause.name}")
    done = engine.tool(*argv, check=False)
    if engine.name == "docker":
        assert done.returncode == 0, done.stderr
        assert "docker-init" not in done.stdout and "/bin/ps" in done.stdout
    else:
        assert done.returncode != 0
        assert "PID namespace isn't private" in done.stderr, done.stderr


# --- services ----------------------------------------------------------------

def test_calico_node_like_image(engine, boxes):
    """Three services from unit files under grace (the README's
    calico-node-like container): started in order, each line of their
    output in the engine's logs labelled with its service's name on its own
    stream, and stopped by `stop` in reverse order, each within its
    handler's time; every service ended cleanly, so the container exits
    0."""
    box = boxes("calico", engine).run(["--services", SERVICES_DIR], init=None,
                                      entrypoint="/bin/grace")
    box.log.wait_ready("bird", "felix", "confd")
    assert event(box, "confd", "start").fields["uid"] == "65534"
    # svc logs "readying" before it makes itself ready, "ready" after.
    assert event(box, "felix", "start").t > event(box, "bird", "readying").t
    assert event(box, "confd", "start").t > event(box, "felix", "readying").t
    want_out = {"bird": "bird: started", "felix": "felix: starting up",
                "confd": "confd: found felix"}
    want_err = {"bird": "bird: no config, using defaults",
                "confd": "confd: template missing, skipped"}

    def labelled(text, want):
        lines = text.splitlines()
        return all(f"{name:<5} | {line}" in lines
                   for name, line in want.items())

    wait_until(lambda: labelled(box.logs()[0], want_out)
               and labelled(box.logs()[1], want_err),
               what="every service's lines in the logs")
    box.stop(STOP_TIMEOUT)
    assert box.wait() == 0
    order = ["confd", "felix", "bird"]
    for before, after in zip(order, order[1:]):
        assert event(box, before, "stopped").t <= event(box, after, "term").t, \
            box.log.dump()
    out, err = box.logs()
    for line in (out + err).splitlines():
        assert re.match(r"(bird |felix|confd) \| ", line), line
    finished = box.finished_at()
    assert finished - event(box, "confd", "term").t < 0.3 + ENGINE_SLACK


# --- examples/ ---------------------------------------------------------------

EXAMPLES = ("scratch", "debian", "alpine")


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_dockerfile(engines, boxes, workdir, example):
    """Each Dockerfile of examples/ builds offline in the private dockerd
    from a context of grace-static and a static program as app, and runs
    once: grace is PID 1, app (a daemon that calls setpgid(0, 0)) its main
    process, and `docker stop` ends it with app's 0.  FROM scratch needs
    nothing; the others need their base image in that dockerd, which pulls
    nothing (see ENGINE_BASE_IMAGES in engines.py)."""
    docker = engines.get("docker")
    dockerfile = REPO / "examples" / f"Dockerfile.{example}"
    base = next(line.split()[1] for line in dockerfile.read_text().splitlines()
                if line.startswith("FROM "))
    if base != "scratch" and \
            docker.tool("image", "inspect", base, check=False).returncode != 0:
        pytest.skip(f"{base} is not in the test's dockerd, which pulls "
                    "nothing: set ENGINE_BASE_IMAGES to a directory holding "
                    "its `docker save` tar to build this example")
    context = workdir / "context"
    context.mkdir()
    shutil.copy(GRACE_STATIC, context / "grace-static")
    shutil.copy(STATIC_HELPERS / "pgdaemon", context / "app")
    tag = f"grace-example-{example}:test"
    env = dict(docker.env, DOCKER_BUILDKIT="0")
    run_tool(docker.command("build", "--network", "none", "-f", dockerfile,
                            "-t", tag, context), env=env, timeout=120)
    box = boxes(f"example-{example}", docker)
    try:
        box.run([], init=None, image=tag)
        ready = box.log.wait_for("pgdaemon", "ready")
        assert ready.fields["sid"] == "1"
        assert ready.fields["pgid"] == str(ready.pid)
        box.stop(STOP_TIMEOUT)
        assert box.wait() == 0
        event(box, "pgdaemon", "term")
    finally:
        docker.tool("rm", "-f", box.name, check=False)
        docker.tool("rmi", "-f", tag, check=False)
