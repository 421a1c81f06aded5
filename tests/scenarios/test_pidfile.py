# SPDX-License-Identifier: MIT
"""--pidfile and --wait-all: the main process is whichever pid a daemon
writes to its pidfile (a service that forks into the background, or a live
binary upgrade, nginx's USR2 then QUIT), and --wait-all lets the rest run
on once the main process has gone.

The daemon helper (tests/helpers/daemon.c) plays the service: "launcher" is
the process grace starts, the daemon or master logs under its own name.
Each handler logs "done init=STATE": "alive" proves the init outlived it."""

import os
import re
import signal
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import (GRACE, MODES, SLOW, TIMEOUT, actor, helper, proc_stat,
                      wait_until)

NGINX = "/usr/sbin/nginx"
# How long grace looks for a new pid in the bad-pidfile cases: short, the
# answer never changes.
SHORT_WAIT = 0.2


def start_grace(start, cmd, options, mode="pid1"):
    """Starts CMD under grace with OPTIONS.  They are grace's alone: these
    scenarios run grace whatever SCENARIO_INIT names."""
    return start(cmd, mode=mode, init="grace",
                 init_argv=[GRACE, *map(str, options), "--"])


def daemon(name, pidfile, *args):
    """The command line of the daemon helper called NAME."""
    return [helper("daemon"), name, "--pidfile", str(pidfile), *map(str, args)]


def read_pid(path):
    """The pid a pidfile names, or None while it is missing or not whole."""
    try:
        text = Path(path).read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def wait_for_stderr(run, text, timeout=TIMEOUT):
    """Waits until grace has written TEXT to its stderr (-v lines)."""
    try:
        wait_until(lambda: text in run.stderr(), timeout, f"{text!r} on stderr")
    except AssertionError as e:
        raise AssertionError(f"{e}\nstderr:\n{run.stderr()}") from None


def reaped(run, pid):
    """Whether PID (as the helpers see it) is gone, zombie no more."""
    try:
        return proc_stat(run.host_pid_of(pid)) is None
    except AssertionError:
        return True


def following(pid, pidfile):
    return f"grace: following pid {pid}, named by {pidfile}, as the main process"


def no_new_main(run, pidfile):
    """grace's lines saying the pidfile named no new main process."""
    prefix = f"grace: no new main process in {pidfile}: "
    return [line for line in run.stderr().splitlines() if line.startswith(prefix)]


def check_stopped_by_init(run, name, after):
    """NAME got SIGTERM from the init after time AFTER, finished its
    handler while the init was alive, and the init exited after it."""
    term = run.log.first(name, "term")
    done = run.log.first(name, "done")
    assert term is not None, f"{name} never got SIGTERM"
    assert term.fields["from"] == str(run.init_pid_inside()), term.line
    assert term.t > after, f"{name} got SIGTERM too early"
    assert done is not None, f"{name} never finished its handler"
    assert done.fields["init"] == "alive", f"the init left before {name} was done"
    assert run.exited_at > done.t


# --- a daemon that forks into the background ---------------------------------

# When the daemon is ready to follow: at once, once the launcher exits; or
# its pidfile comes 300 ms later; or its parent (the child between it and
# the launcher) exits 300 ms later, and only then is it grace's child.
LATE = {
    "at-once": [],
    "pidfile-late": ["--late", "300"],
    "parent-late": ["--middle-ms", "300"],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("late", LATE)
def test_forking_daemon_becomes_the_main_process(start, workdir, mode, late):
    """The launcher exits 0 and leaves the daemon behind: grace follows the
    daemon once its pidfile names it and it is grace's child, forwards to
    it, and ends with its status when a stop has made it exit."""
    pidfile = workdir / "svc.pid"
    run = start_grace(start, daemon("svc", pidfile, "--fork", "--term-ms", "200",
                                    "--term-exit", "5", *LATE[late]),
                      ["-vv", "--pidfile", pidfile], mode)
    wrote = run.log.wait_for("svc", "wrote")
    launcher_exit = run.log.wait_for("launcher", "exit")
    assert launcher_exit.fields["code"] == "0"
    wait_for_stderr(run, following(wrote.pid, pidfile))
    stderr = run.stderr()
    if late == "pidfile-late":
        assert wrote.t > launcher_exit.t, "the pidfile was not late"
    if late == "parent-late":
        # -vv: why grace did not follow it as it reaped the launcher.
        middle = run.log.first("svc", "start").fields["ppid"]
        assert f"pid {wrote.pid} is not grace's child (its parent is {middle})" \
            in stderr, stderr
    assert no_new_main(run, pidfile) == []
    # The container lives on the daemon: what the init gets, it gets.
    assert run.running()
    run.signal(signal.SIGUSR1)
    usr1 = run.log.wait_for("svc", "sig", "USR1")
    assert usr1.fields["from"] == str(run.init_pid_inside())
    assert run.log.first("svc", "term") is None
    stop_at = time.monotonic()
    run.signal(signal.SIGTERM)
    assert run.wait() == 5
    check_stopped_by_init(run, "svc", stop_at)
    assert run.leftovers() == []


# How a followed daemon ends by itself: killed, its pidfile still naming it;
# or stopped from inside the container, removing its pidfile.
ENDS = {"killed": 128 + signal.SIGKILL, "stopped-inside": 5}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", ENDS)
def test_followed_daemon_ends_the_container_quietly(start, workdir, mode, how):
    """The followed daemon ends while another process runs: grace looks at
    the pidfile for --pidfile-wait, finds it gone or naming the dead
    daemon, says nothing, stops the rest and exits with the daemon's
    status."""
    pidfile = workdir / "svc.pid"
    # The worker, started by the launcher's shell, is grace's child once
    # the launcher has exited.
    shell = 'ACTOR_INIT_PID=$PPID "$0" worker --term-ms 50 & exec "$@"'
    run = start_grace(start, ["sh", "-c", shell, helper("actor"),
                              *daemon("svc", pidfile, "--fork", "--term-exit", "5")],
                      ["--pidfile", pidfile, "--pidfile-wait", SHORT_WAIT], mode)
    svc = run.log.wait_for("svc", "wrote")
    run.log.wait_ready("worker")
    launcher = run.log.wait_for("launcher", "exit")
    # grace follows the daemon (its child by then) as it reaps the launcher.
    wait_until(lambda: reaped(run, launcher.pid), what="the launcher reaped")
    run.signal(signal.SIGUSR1)
    run.log.wait_for("svc", "sig", "USR1")
    end_at = time.monotonic()
    if how == "killed":
        run.kill_helper(svc.pid, signal.SIGKILL)
    else:
        run.inside(["sh", "-c", f'kill -TERM "$(cat {pidfile})"'])
    assert run.wait() == ENDS[how]
    assert pidfile.exists() == (how == "killed")
    check_stopped_by_init(run, "worker", end_at + SHORT_WAIT)
    assert run.stderr() == ""
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_failed_launch_is_not_followed(start, workdir, mode):
    """A launcher that exits non-zero failed to start the service: grace
    follows nothing, stops the daemon it left, and exits with its code."""
    pidfile = workdir / "svc.pid"
    run = start_grace(start, daemon("svc", pidfile, "--fork", "--launcher-exit", "4",
                                    "--term-ms", "100", "--term-exit", "5"),
                      ["-v", "--pidfile", pidfile], mode)
    assert run.wait() == 4
    launcher_exit = run.log.first("launcher", "exit")
    check_stopped_by_init(run, "svc", launcher_exit.t)
    assert "following pid" not in run.stderr()
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_stop_during_the_hand_over(start, workdir, mode):
    """A stop while grace waits for the pidfile ends the wait at once:
    every process gets SIGTERM and grace exits with the launcher's 0."""
    pidfile = workdir / "svc.pid"
    run = start_grace(start, daemon("svc", pidfile, "--fork", "--late", "60000",
                                    "--term-ms", "100", "--term-exit", "5"),
                      ["-v", "--pidfile", pidfile, "--pidfile-wait", 60], mode)
    run.log.wait_for("svc", "ready")
    launcher = run.log.wait_for("launcher", "exit")
    # grace reaps the launcher and begins the hand-over in one go, before
    # it reads another signal.
    wait_for_stderr(run, f"grace: reaped pid {launcher.pid}, ")
    stop_at = time.monotonic()
    run.signal(signal.SIGTERM)
    assert run.wait() == 0
    check_stopped_by_init(run, "svc", stop_at)
    assert run.exited_at - stop_at < 2.0 * SLOW
    assert "following pid" not in run.stderr()
    assert run.leftovers() == []


# --- a live binary upgrade, as nginx does it ---------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_binary_upgrade_hands_over_to_the_new_master(start, workdir, mode):
    """USR2 to the master starts a new one (its child); QUIT to the old
    one makes it leave: the container runs on the new master, and a stop
    goes to it."""
    pidfile = workdir / "master.pid"
    oldbin = Path(f"{pidfile}.oldbin")
    run = start_grace(start, daemon("old", pidfile, "--upgrade-to", "new",
                                    "--term-ms", "200", "--term-exit", "7"),
                      ["-v", "--pidfile", pidfile], mode)
    old = run.log.wait_for("old", "wrote")
    # As an operator does it, inside the container.
    run.inside(["sh", "-c", f'kill -USR2 "$(cat {pidfile})"'])
    new = run.log.wait_for("new", "wrote")
    assert run.log.first("new", "start").fields["ppid"] == str(old.pid)
    assert read_pid(pidfile) == new.pid
    assert read_pid(oldbin) == old.pid
    run.inside(["sh", "-c", f'kill -QUIT "$(cat {oldbin})"'])
    assert run.log.wait_for("old", "exit").fields["code"] == "0"
    wait_for_stderr(run, following(new.pid, pidfile))
    assert run.running()
    run.signal(signal.SIGUSR1)
    usr1 = run.log.wait_for("new", "sig", "USR1")
    assert usr1.fields["from"] == str(run.init_pid_inside())
    stop_at = time.monotonic()
    run.signal(signal.SIGTERM)
    assert run.wait() == 7
    check_stopped_by_init(run, "new", stop_at)
    assert run.log.first("old", "term") is None
    assert run.leftovers() == []


# --- the real thing: nginx ---------------------------------------------------

NGINX_CONF = """\
daemon on;
master_process on;
worker_processes 1;
pid {site}/nginx.pid;
error_log {site}/error.log notice;
events {{}}
http {{
    access_log off;
    client_body_temp_path {site}/client_body;
    proxy_temp_path {site}/proxy;
    fastcgi_temp_path {site}/fastcgi;
    uwsgi_temp_path {site}/uwsgi;
    scgi_temp_path {site}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Requests(threading.Thread):
    """GETs URL one request after another until stopped, or LIMIT
    requests, or SECONDS, and keeps (start time, error or None) of each."""

    def __init__(self, url, limit=20000, seconds=15.0 * SLOW):
        super().__init__(daemon=True)
        self.url = url
        self.limit = limit
        self.deadline = time.monotonic() + seconds
        self.results = []
        self.stopping = threading.Event()
        # No proxy from the environment: the server is on this machine.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self):
        with self.opener.open(self.url, timeout=TIMEOUT) as response:
            body = response.read()
            if response.status != 200 or body != b"ok\n":
                return f"status {response.status}, body {body!r}"
        return None

    def run(self):
        while (not self.stopping.is_set() and len(self.results) < self.limit
               and time.monotonic() < self.deadline):
            t = time.monotonic()
            try:
                error = self.get()
            except OSError as e:
                error = repr(e)
            self.results.append((t, error))

    def wait_for(self, count, since):
        """Waits until COUNT requests that began after SINCE succeeded."""
        wait_until(lambda: sum(1 for t, error in list(self.results)
                               if t > since and error is None) >= count,
                   what=f"{count} requests after t={since:.3f}")

    def stop(self):
        self.stopping.set()
        self.join(TIMEOUT)


def children_of(host_pid):
    try:
        with open(f"/proc/{host_pid}/task/{host_pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def test_nginx_live_upgrade_under_load(start, workdir):
    """Debian's nginx forks into the background and is upgraded in place
    (USR2, then QUIT to the old master) while a client keeps asking: every
    request succeeds, grace follows each master, and a stop ends the new
    one gracefully."""
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"{NGINX} is not installed (tests/deps.sh installs nginx)")
    site = workdir / "nginx"
    site.mkdir()
    site.chmod(0o755)
    port = free_port()
    conf = site / "nginx.conf"
    conf.write_text(NGINX_CONF.format(site=site, port=port))
    pidfile = site / "nginx.pid"
    oldbin = Path(f"{pidfile}.oldbin")
    run = start_grace(start, [NGINX, "-c", conf, "-p", f"{site}/",
                              "-e", site / "error.log"],
                      ["-v", "--pidfile", pidfile])
    first = wait_until(lambda: read_pid(pidfile), what="nginx's pidfile")
    wait_for_stderr(run, following(first, pidfile))
    first_host = run.host_pid_of(first)
    wait_until(lambda: children_of(first_host), what="nginx's first worker")

    load = Requests(f"http://127.0.0.1:{port}/")
    load.start()
    try:
        load.wait_for(5, since=0)
        usr2_at = time.monotonic()
        run.inside(["sh", "-c", f'kill -USR2 "$(cat {pidfile})"'])
        second = wait_until(lambda: oldbin.exists() and read_pid(pidfile) not in
                            (None, first) and read_pid(pidfile), what="the new master")
        assert read_pid(oldbin) == first
        second_host = run.host_pid_of(second)
        # The new master is the old one's child; serving once its worker runs.
        assert proc_stat(second_host)[1] == first_host
        wait_until(lambda: children_of(second_host), what="the new master's worker")
        load.wait_for(5, since=usr2_at)
        quit_at = time.monotonic()
        run.inside(["sh", "-c", f'kill -QUIT "$(cat {oldbin})"'])
        wait_for_stderr(run, following(second, pidfile))
        assert proc_stat(first_host) is None
        assert proc_stat(second_host)[1] == run.host_pid
        load.wait_for(5, since=quit_at)
    finally:
        load.stop()
    failed = [(t, error) for t, error in load.results if error is not None]
    assert failed == [], f"{len(failed)} of {len(load.results)} requests failed"
    assert run.running()

    run.signal(signal.SIGTERM)
    # nginx does a fast shutdown on SIGTERM and exits 0.
    assert run.wait() == 0
    stderr = run.stderr()
    assert f"grace: forwarded SIGTERM to pid {second}" in stderr
    assert f"grace: reaped pid {second}, {NGINX} (status 0)" in stderr
    assert "grace period over" not in stderr
    assert "grace: stopped: SIGTERM; the stop took" in stderr
    assert stderr.endswith("exiting with 0\n")
    # The new master had its worker exit, then left: nothing was killed.
    errors = (site / "error.log").read_text()
    assert f"{second}#{second}: signal 15 (SIGTERM) received from 1, exiting" in errors
    assert re.search(rf"{second}#{second}: worker process \d+ exited with code 0", errors)
    assert f"{second}#{second}: exit\n" in errors


# --- --wait-all --------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_wait_all_runs_until_the_last_process_exits(start, mode):
    """The main process exits 3 at once; its sibling works on for 500 ms
    and exits by itself, unsignalled, the init still alive; grace exits 3
    after it."""
    run = start_grace(start, actor("main", "--exit", "3", "[", "sibling",
                                   "--after", "500", "--exit", "0", "]"),
                      ["--wait-all"], mode)
    assert run.wait() == 3
    main_exit = run.log.first("main", "exit")
    sibling_exit = run.log.first("sibling", "exit")
    assert sibling_exit is not None, "the sibling did not finish its work"
    assert sibling_exit.fields["init"] == "alive"
    assert sibling_exit.t > main_exit.t
    assert [e.event for e in run.log.of("sibling")] == ["start", "ready", "exit"]
    assert run.exited_at > sibling_exit.t
    assert run.stderr() == ""
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_wait_all_stop_after_the_main_process(start, mode):
    """Signals go to the main process's group while it runs, to every
    process once it has gone; then a stop ends the sibling gracefully, and
    grace exits with the main process's 3."""
    run = start_grace(start, actor("main", "--exit-on", "USR1", "--exit", "3",
                                   "[", "sibling", "--term-ms", "300", "]"),
                      ["--wait-all"], mode)
    started = run.log.wait_ready("main", "sibling")
    init = str(run.init_pid_inside())
    run.signal(signal.SIGUSR2)
    for name in ("main", "sibling"):
        assert run.log.wait_for(name, "sig", "USR2").fields["from"] == init
    main_host = run.host_pid_of(started["main"].pid)
    run.kill_helper(started["main"].pid, signal.SIGUSR1)
    wait_until(lambda: proc_stat(main_host) is None, what="main reaped")
    assert run.running()
    run.signal(signal.SIGUSR2)
    wait_until(lambda: len(run.log.of("sibling", "sig", "USR2")) == 2,
               what="the second USR2 at the sibling")
    assert run.log.of("sibling", "sig", "USR2")[1].fields["from"] == init
    stop_at = time.monotonic()
    run.signal(signal.SIGTERM)
    assert run.wait() == 3
    check_stopped_by_init(run, "sibling", stop_at)
    assert run.leftovers() == []


# --- pidfiles that name no one -----------------------------------------------

# How the test fills the pidfile before the main process exits 0, from the
# pids of the tree below: "kid" is alive but the worker's child, "gone" has
# exited and been reaped.  None: it never writes it.
BAD = {
    "empty": lambda pids, mode: "",
    "not-a-number": lambda pids, mode: "abc\n",
    "not-a-child": lambda pids, mode: f"{pids['kid']}\n",
    # Alive, and no child of grace: the test itself, or grace as PID 1.
    "foreign": lambda pids, mode: f"{os.getpid() if mode == 'plain' else 1}\n",
    "dead": lambda pids, mode: f"{pids['gone']}\n",
    "never-written": None,
}


# Under main: a worker with a child of its own, and an actor that exits at
# once (main reaps it).
WORKER = ["[", "worker", "--term-ms", "50", "[", "kid", "]", "]"]
GONE = ["[", "gone", "--exit", "0", "]"]


def bad_pidfile_run(start, workdir, mode, case, with_worker):
    """Starts main (WITH_WORKER or alone) over "gone", fills the pidfile as
    CASE says once the tree is set, and makes main exit 0; returns the run,
    main's exit event and the pidfile."""
    pidfile = workdir / "svc.pid"
    run = start_grace(start, actor("main", "--exit-on", "USR1", "--exit", "0",
                                   *(WORKER if with_worker else []), *GONE),
                      ["--pidfile", pidfile, "--pidfile-wait", SHORT_WAIT], mode)
    names = ["main", "worker", "kid"] if with_worker else ["main"]
    started = run.log.wait_ready(*names)
    pids = {name: event.pid for name, event in started.items()}
    pids["gone"] = run.log.wait_for("gone", "exit").pid
    run.log.wait_for("main", "reaped")
    if BAD[case] is not None:
        pidfile.write_text(BAD[case](pids, mode))
    run.kill_helper(pids["main"], signal.SIGUSR1)
    return run, run.log.wait_for("main", "exit"), pidfile


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", BAD)
def test_bad_pidfile_ends_the_container(start, workdir, mode, case):
    """Processes are left that could still write the file: grace looks for
    --pidfile-wait, says once why the file named no one (nothing when it
    never appeared), follows nothing, and stops the rest as usual."""
    run, main_exit, pidfile = bad_pidfile_run(start, workdir, mode, case, True)
    assert run.wait() == 0
    check_stopped_by_init(run, "worker", main_exit.t + SHORT_WAIT)
    lines = no_new_main(run, pidfile)
    if BAD[case] is None:
        assert run.stderr() == ""
    else:
        assert len(lines) == 1, run.stderr()
        assert run.stderr().splitlines() == lines
    assert run.leftovers() == []


# The cases that need no other process.
BAD_ALONE = [case for case in BAD if case not in ("not-a-child", "never-written")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", BAD_ALONE)
def test_bad_pidfile_from_the_last_process(start, workdir, mode, case):
    """The main process wrote a bad pidfile and was the last process:
    grace ends at once with its 0, and still says once what was wrong."""
    run, main_exit, pidfile = bad_pidfile_run(start, workdir, mode, case, False)
    assert run.wait() == 0
    lines = no_new_main(run, pidfile)
    assert len(lines) == 1, f"stderr:\n{run.stderr()}"
    assert run.stderr().splitlines() == lines
    assert run.exited_at - main_exit.t < SHORT_WAIT + 1.0 * SLOW
    assert run.leftovers() == []


# --- the bug this fixes ------------------------------------------------------

@pytest.mark.parametrize("init", ["tini", "catatonit"])
def test_other_inits_end_with_the_launcher(start, workdir, init):
    """Under tini or catatonit as PID 1, the launcher's exit ends the
    container: the daemon, up and running, is killed by the kernel with
    the namespace, never told SIGTERM."""
    pidfile = workdir / "svc.pid"
    run = start(daemon("svc", pidfile, "--fork", "--term-exit", "5"), init=init)
    assert run.wait() == 0
    assert run.log.first("svc", "wrote") is not None, "the daemon never ran"
    assert run.log.first("launcher", "exit") is not None
    assert run.log.first("svc", "term") is None
    assert run.log.first("svc", "exit") is None
    assert run.leftovers() == []
