# SPDX-License-Identifier: MIT
"""gracectl over grace's control socket: status (a table, or JSON), start,
stop, restart, signal, run and health, as grace's own user or root; and
grace's side of the socket, which a flood of clients, a client that never
writes, garbage or a line of a megabyte cannot hold up or break.

Each test gives grace `--control PATH` in its own workdir (the workdir is
the same path in every namespace and container), and runs gracectl where
the run's processes are (`Ctl`), so that the pids it shows are the ones
the helpers log; only test_default_socket leaves the place to grace, in a
/run and a network namespace of its own.  Waits poll gracectl or the
event log against deadlines; timings come from the events' t= and
grace's own "the stop took" line."""

import calendar
import json
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (GRACE, PLACES, SLOW, TIMEOUT, actor, sig_log_name,
                      skip_under_valgrind, wait_until)
from services import (TOL, event, events, generous, start_grace, stop,
                      stopped_by_grace, svc, wait_count, wait_reaped,
                      wait_ready, write_unit)

# Where a plain grace and one that is PID 1 of an unshared namespace run;
# the test with the most to say also runs under runc and crun (PLACES).
MODES = ["pid1", "plain"]

HEADER = ["NAME", "KIND", "STATE", "READY", "PID", "UPTIME", "RESTARTS",
          "LAST", "NEXT"]
# A row of the status table: LAST may be "1 failed", NEXT "in 42s (...)".
ROW = re.compile(r"(\S+)\s+(service|job)\s+(\S+)\s+(yes|no|-)\s+(\d+|-)\s+"
                 r"(\S+)\s+(\d+)\s+(-|\d+(?: failed)?)\s+(.+)")
UPTIME = re.compile(r"-|\d+s|\d+m\d\ds|\d+h\d\dm|\d+d\d\dh")
SERVICE_KEYS = {"name", "state", "essential", "ready", "pid", "uptime_ms",
                "restarts", "last_exit"}
JOB_KEYS = {"name", "state", "essential", "running", "pid", "uptime_ms",
            "runs", "last_exit", "next_run_ms"}

# grace's last line at -v.
STOP_TOOK = re.compile(r"^grace: stopped: .*; the stop took (\d+)ms; "
                       r"exiting with (\d+)$", re.M)

# What grace promises its control socket: clients served at once, and
# how long one may take before it is dropped.
MAX_CLIENTS = 16
CLIENT_TIMEOUT = 2.0


def as_user(uid):
    """The command line that runs what follows as UID, no groups."""
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


class Ctl:
    """gracectl over one run's control socket, run where the run's
    processes are: entered into its namespaces (`Run.inside`), beside a
    plain grace."""

    def __init__(self, run, gracectl, control):
        self.run = run
        self.gracectl = gracectl
        self.control = str(control)

    def __call__(self, *args, uid=None):
        """Runs `gracectl --control SOCKET ARGS` (as UID when given); the
        CompletedProcess."""
        argv = [self.gracectl, "--control", self.control, *map(str, args)]
        return self.run.inside((as_user(uid) if uid is not None else []) + argv,
                               check=False)

    def ok(self, *args):
        """Runs gracectl ARGS, which must exit 0 and say nothing on
        stderr; its stdout."""
        done = self(*args)
        assert done.returncode == 0 and done.stderr == "", \
            f"gracectl {' '.join(map(str, args))}: exit {done.returncode}: " \
            f"{done.stderr}{done.stdout}"
        return done.stdout

    def status(self):
        """`status --json`, parsed, its keys checked."""
        status = json.loads(self.ok("status", "--json"))
        assert set(status) == {"now_ms", "services", "jobs"}, status
        for row in status["services"]:
            assert set(row) == SERVICE_KEYS, row
        for row in status["jobs"]:
            assert set(row) == JOB_KEYS, row
        return status

    def service(self, name):
        return by_name(self.status()["services"])[name]

    def job(self, name):
        return by_name(self.status()["jobs"])[name]

    def table(self):
        """`status` as a table: its rows by name."""
        return parse_table(self.ok("status"))


def by_name(rows):
    return {row["name"]: row for row in rows}


def parse_table(text):
    """The rows of `gracectl status`, by name: dicts of the columns."""
    lines = text.splitlines()
    assert lines and lines[0].split() == HEADER, text
    rows = {}
    for line in lines[1:]:
        match = ROW.fullmatch(line.rstrip())
        assert match, f"not a status row: {line!r}\n{text}"
        row = dict(zip(("name", "kind", "state", "ready", "pid", "uptime",
                        "restarts", "last", "next"), match.groups()))
        assert UPTIME.fullmatch(row["uptime"]), line
        rows[row["name"]] = row
    return rows


@pytest.fixture
def controlled(start, workdir, gracectl):
    """controlled(UNITS, main=, options=, **kwargs) -> (run, ctl): grace
    over the services of UNITS (start_grace) with --control at a socket of
    the test's own, and gracectl over it, once grace listens there (it
    binds the socket before it starts anything)."""
    socket_path = workdir / "control.sock"

    def starter(units=None, main=(), options=(), **kwargs):
        run = start_grace(start, units, main=main,
                          options=["--control", socket_path, *options],
                          **kwargs)
        wait_until(socket_path.is_socket, what="grace's control socket")
        return run, Ctl(run, gracectl, socket_path)

    return starter


def crash_once(workdir, name, code):
    """The command line of a service NAME that, the first time it runs,
    exits CODE once it gets SIGUSR1 (a crash the test sets off), and every
    later time runs until stopped.  A file in WORKDIR remembers; `: >`,
    since a container's busybox has no touch."""
    mark = workdir / f"{name}.crashed"
    first = shlex.join(svc(name, "--term-on", "USR1", "--term-exit", code))
    later = shlex.join(svc(name))
    return ["/bin/sh", "-c",
            f"[ -e {mark} ] && exec {later}; : > {mark}; exec {first}"]


def stop_took_ms(run):
    """The length of the stop as grace's last line at -v gives it."""
    match = STOP_TOOK.search(run.stderr())
    assert match, f"no 'the stop took' line:\n{run.stderr()}"
    return int(match.group(1))


# --- status ------------------------------------------------------------------

@pytest.mark.parametrize("mode, runtime", PLACES)
def test_status_through_a_crash_and_restart(controlled, workdir, mode, runtime):
    """A service that crashes with 3 and is restarted a second later
    (Restart=always, RestartSec=1s): status shows it running and ready
    with its pid, then in backoff with no process and LAST "3 failed",
    then running again with its new pid, one restart and the same LAST; a
    steady service beside it shows no restart and no end.  The table and
    --json say the same; uptimes and now_ms agree with the events."""
    units = workdir / "units"
    write_unit(units, "crash", crash_once(workdir, "crash", 3),
               Restart="always", RestartSec="1s")
    write_unit(units, "steady", svc("steady", "--notify"), Type="notify")
    run, ctl = controlled(units, mode=mode, runtime=runtime)
    wait_ready(run, "crash", "steady")
    first = event(run, "crash", "start")
    steady = event(run, "steady", "start")

    wait_until(lambda: ctl.service("crash")["state"] == "running",
               what="crash running")
    before = ctl.status()
    crash = by_name(before["services"])["crash"]
    assert crash["pid"] == first.pid and crash["ready"] is True, crash
    assert crash["restarts"] == 0 and crash["last_exit"] is None, crash
    assert crash["essential"] is True and crash["uptime_ms"] >= 0, crash
    assert before["jobs"] == []
    table = ctl.table()
    assert table["crash"] == {"name": "crash", "kind": "service",
                              "state": "running", "ready": "yes",
                              "pid": str(first.pid),
                              "uptime": table["crash"]["uptime"],
                              "restarts": "0", "last": "-", "next": "-"}

    run.kill_helper(first.pid, signal.SIGUSR1)
    crashed = run.log.wait_for("crash", "exit")
    assert crashed.fields["code"] == "3"
    backoff = wait_until(lambda: (row := ctl.service("crash"))["state"] == "backoff"
                         and row, what="crash in backoff")
    assert backoff["pid"] is None and backoff["uptime_ms"] is None, backoff
    assert backoff["ready"] is False, backoff
    assert backoff["last_exit"] == {"code": 3, "clean": False}, backoff
    row = ctl.table()["crash"]
    if row["state"] == "backoff":   # not yet restarted, as it usually is
        assert (row["ready"], row["pid"], row["uptime"], row["last"]) == \
            ("no", "-", "-", "3 failed"), row

    second = wait_count(run, "crash", "start", 2)[1]
    assert second.t - crashed.t >= 1.0 - TOL, "restarted before RestartSec="
    wait_until(lambda: (row := ctl.service("crash"))["state"] == "running"
               and row["pid"] == second.pid, what="crash running again")
    asked_at, asked_real = time.monotonic(), time.time()
    status = ctl.status()
    answered_at, answered_real = time.monotonic(), time.time()
    crash = by_name(status["services"])["crash"]
    assert crash["pid"] == second.pid and crash["ready"] is True, crash
    assert crash["restarts"] == 1, crash
    assert crash["last_exit"] == {"code": 3, "clean": False}, crash
    # grace forked it after the crash and before it logged its start.
    assert (asked_at - second.t) * 1000 - 2 <= crash["uptime_ms"] \
        <= (answered_at - crashed.t) * 1000 + 2, (crash, second.line)
    assert asked_real * 1000 - 2 <= status["now_ms"] <= answered_real * 1000 + 2
    steady_row = by_name(status["services"])["steady"]
    assert steady_row["pid"] == steady.pid and steady_row["state"] == "running"
    assert steady_row["restarts"] == 0 and steady_row["last_exit"] is None
    table = ctl.table()
    assert (table["crash"]["state"], table["crash"]["pid"],
            table["crash"]["restarts"], table["crash"]["last"]) == \
        ("running", str(second.pid), "1", "3 failed"), table["crash"]
    assert (table["steady"]["restarts"], table["steady"]["last"]) == ("0", "-")

    stop(run)
    run.wait()
    assert run.leftovers() == []


# --- signal ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("spelled, sig", [
    ("HUP", signal.SIGHUP),
    ("SIGUSR1", signal.SIGUSR1),
    (str(int(signal.SIGUSR2)), signal.SIGUSR2),
    ("RTMIN+2", signal.SIGRTMIN + 2),
], ids=["HUP", "SIGUSR1", "number", "RTMIN+2"])
def test_signal_reaches_the_whole_group(controlled, workdir, mode, spelled, sig):
    """`gracectl signal web SIG`, SIG by its name, with or without SIG, or
    by number: web and the processes it started in its group (a tree of
    actors) each get SIG once, from grace; another service gets nothing.
    (A realtime signal is queued, so a second copy would be seen; SIGRTMAX,
    sent after, arrives after every copy, and shows there is no other.)"""
    units = workdir / "units"
    skip_under_valgrind("valgrind keeps the last realtime signals for "
                        "itself: grace's SIGRTMAX is not the helpers'")
    write_unit(units, "web", actor("web", "[", "w1", "]", "[", "w2", "[", "w3",
                                   "]", "]"))
    write_unit(units, "other", svc("other"))
    run, ctl = controlled(units, mode=mode)
    names = ("web", "w1", "w2", "w3")
    wait_ready(run, *names, "other")
    group = event(run, "web", "start").pid
    for name in names:
        assert event(run, name, "start").fields["pgid"] == str(group)

    out = ctl.ok("signal", "web", spelled)
    assert out.strip(), "gracectl signal said nothing"
    ctl.ok("signal", "web", "RTMAX")
    init = str(run.init_pid_inside())
    for name in names:
        run.log.wait_for(name, "sig", sig_log_name(signal.SIGRTMAX))
        got = run.log.of(name, "sig", sig_log_name(sig))
        assert len(got) == 1, f"{name} got {len(got)} of SIG{sig_log_name(sig)}" \
            f"\n{run.log.dump()}"
        assert got[0].fields["from"] == init, got[0].line
    assert run.log.of("other", "sig") == [], run.log.dump()
    assert run.running()
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


# --- restart, stop, start ----------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_restart_leaves_the_dependents_running(controlled, workdir, mode):
    """`gracectl restart db` answers at once; db gets its stop signal from
    grace, takes its time, and only once it has ended starts again: a new
    pid, running and ready again, no automatic restart counted.  web
    (Requires=db) and worker (After=db) run on throughout: same pid, no
    stop signal.  A stop afterwards ends grace with 0."""
    term_ms = int(500 * SLOW)
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--ready-after", 200, "--notify",
                                "--term-ms", term_ms), Type="notify")
    write_unit(units, "web", svc("web"), Requires="db", After="db")
    write_unit(units, "worker", svc("worker"), After="db")
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "db", "web", "worker")
    first = event(run, "db", "start")
    pids = {name: event(run, name, "start").pid for name in ("web", "worker")}
    wait_until(lambda: ctl.service("db")["ready"], what="db ready")

    ctl.ok("restart", "db")
    assert run.log.first("db", "stopped") is None, \
        "gracectl restart waited for db to stop"
    run.log.wait_for("db", "term")
    term = stopped_by_grace(run, "db")
    ended = run.log.wait_for("db", "exit")
    assert ended.t - term.t >= term_ms / 1000 - TOL
    second = wait_count(run, "db", "start", 2)[1]
    assert second.t > ended.t, "the new db started before the old one ended"
    assert second.pid != first.pid
    row = wait_until(lambda: (row := ctl.service("db"))["ready"]
                     and row["pid"] == second.pid and row, what="db ready again")
    assert row["state"] == "running" and row["restarts"] == 0, row
    assert len(events(run, "db", "readying")) == 2, "db ready before its readying"

    services = by_name(ctl.status()["services"])
    for name, pid in pids.items():
        assert services[name]["pid"] == pid, services[name]
        assert services[name]["state"] == "running", services[name]
        assert run.log.first(name, "term") is None, f"{name} was stopped"
        assert len(events(run, name, "start")) == 1, f"{name} started again"
    stop_at = stop(run)
    assert run.wait() == 0
    for name in ("db", "web", "worker"):
        term = events(run, name, "term")[-1]
        assert term.t > stop_at and term.fields["from"] == \
            str(run.init_pid_inside()), term.line
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_stopping_an_essential_service(controlled, workdir, mode):
    """`gracectl stop web`, web essential with Restart=always: web gets its
    stop signal from grace and ends (of SIGTERM, a clean 143); api, which
    Requires= it, is stopped with it; worker, only After= it, runs on.
    The container goes on, and web is not restarted: a ticker restarted
    every 200 ms shows the time pass.  signal has no process to reach.
    `gracectl start web` brings web back; a second start says it already
    runs.  A stop afterwards ends grace with 0."""
    units = workdir / "units"
    write_unit(units, "web", svc("web", "--term-exit", "raise"),
               Restart="always", RestartSec="100ms")
    write_unit(units, "api", svc("api"), Requires="web", After="web")
    write_unit(units, "worker", svc("worker"), After="web")
    write_unit(units, "ticker", svc("ticker", "--after", 100, "--exit", 0),
               Restart="always", RestartSec="100ms", StartLimitBurst=1000,
               Essential=False)
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "web", "api", "worker")
    worker = event(run, "worker", "start").pid

    ctl.ok("stop", "web")
    run.log.wait_for("web", "term")
    stopped_by_grace(run, "web")
    ended = run.log.wait_for("web", "raise")
    run.log.wait_for("api", "term")
    stopped_by_grace(run, "api")
    web = wait_until(lambda: (row := ctl.service("web"))["state"] == "done"
                     and row, what="web done")
    assert web["pid"] is None and web["ready"] is False, web
    assert web["last_exit"] == {"code": 143, "clean": True}, web
    assert ctl.table()["web"]["last"] == "143"
    wait_until(lambda: ctl.service("api")["pid"] is None, what="api ended")

    # Three of the ticker's starts after web's end: 400 ms at least, in
    # which web, RestartSec=100ms, would have been restarted.
    wait_until(lambda: len([s for s in events(run, "ticker", "start")
                            if s.t > ended.t]) >= 3,
               timeout=TIMEOUT + 1.0, what="the ticker's starts")
    assert len(events(run, "web", "start")) == 1, "web was restarted"
    assert run.running(), "stopping web ended the container"
    services = by_name(ctl.status()["services"])
    assert services["web"]["state"] == "done", services["web"]
    assert services["worker"]["pid"] == worker, services["worker"]
    assert services["worker"]["state"] == "running"
    assert run.log.first("worker", "term") is None

    done = ctl("signal", "web", "HUP")
    assert done.returncode == 1 and done.stderr.startswith("gracectl: "), done

    ctl.ok("start", "web")
    second = wait_count(run, "web", "start", 2)[1]
    wait_until(lambda: (row := ctl.service("web"))["state"] == "running"
               and row["pid"] == second.pid, what="web running again")
    assert "already running" in ctl.ok("start", "web")
    assert len(events(run, "web", "start")) == 2
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_stop_kills_what_outlasts_its_timeout(controlled, workdir, mode):
    """`gracectl stop stubborn`: its KillSignal goes to its whole group
    (stubborn and the kid it started both get SIGTERM from grace, and
    both stay); TimeoutStopSec=300ms later SIGKILL ends them both, not
    sooner.  The essential service's end does not end the container."""
    units = workdir / "units"
    write_unit(units, "stubborn", actor("stubborn", "--on-term", "stay",
                                        "[", "kid", "--on-term", "stay", "]"),
               TimeoutStopSec="300ms")
    write_unit(units, "other", svc("other"))
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "stubborn", "kid", "other")
    ctl.ok("stop", "stubborn")
    init = str(run.init_pid_inside())
    terms = [run.log.wait_for(name, "term") for name in ("stubborn", "kid")]
    for term in terms:
        assert term.fields["from"] == init, term.line
    for name in ("stubborn", "kid"):
        wait_reaped(run, event(run, name, "start").pid)
    gone_at = time.monotonic()
    assert gone_at - min(t.t for t in terms) >= 0.3 - TOL, \
        "killed before TimeoutStopSec="
    wait_until(lambda: ctl.service("stubborn")["pid"] is None,
               what="stubborn ended")
    assert run.running()
    assert ctl.service("other")["state"] == "running"
    stop(run)
    run.wait()
    assert run.leftovers() == []


# --- jobs --------------------------------------------------------------------

def next_new_year_ms(now_ms):
    """The next 1 January, 00:00 UTC, after NOW_MS, in ms."""
    year = time.gmtime(now_ms / 1000).tm_year + 1
    return calendar.timegm((year, 1, 1, 0, 0, 0)) * 1000


@pytest.mark.parametrize("mode", MODES)
def test_run_a_job_now(controlled, workdir, mode):
    """A job due on 1 January only: status shows it idle with its next
    run; `gracectl run nightly` starts a run at once (then it is running,
    with the run's pid, one run); `stop nightly` stops the run (idle
    again, LAST 0); `start nightly` is run; `run web`, a service, is 1."""
    crontab = workdir / "crontab"
    crontab.write_text("CRON_TZ=UTC\n# name: nightly\n0 0 1 1 * exec "
                       + shlex.join(svc("nightly")) + "\n")
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, options=["--crontab", crontab], mode=mode)
    wait_ready(run, "web")

    status = ctl.status()
    job = by_name(status["jobs"])["nightly"]
    assert job == {"name": "nightly", "state": "idle", "essential": False,
                   "running": 0, "pid": None, "uptime_ms": None, "runs": 0,
                   "last_exit": None,
                   "next_run_ms": next_new_year_ms(status["now_ms"])}, job
    row = ctl.table()["nightly"]
    assert (row["kind"], row["state"], row["ready"], row["pid"],
            row["restarts"], row["last"]) == ("job", "idle", "-", "-", "0", "-")
    year = time.gmtime(status["now_ms"] / 1000).tm_year + 1
    assert re.fullmatch(rf"in \S+ \({year}-01-01T00:00:00Z\)", row["next"]), row

    assert "started" in ctl.ok("run", "nightly")
    first = run.log.wait_for("nightly", "start")
    job = ctl.job("nightly")
    assert (job["state"], job["running"], job["pid"], job["runs"]) == \
        ("running", 1, first.pid, 1), job
    assert ctl.table()["nightly"]["pid"] == str(first.pid)

    ctl.ok("stop", "nightly")
    run.log.wait_for("nightly", "term")
    stopped_by_grace(run, "nightly")
    job = wait_until(lambda: (row := ctl.job("nightly"))["state"] == "idle"
                     and row, what="nightly idle")
    assert (job["running"], job["pid"], job["runs"]) == (0, None, 1), job
    assert job["last_exit"] == {"code": 0, "clean": True}, job
    assert job["next_run_ms"] == next_new_year_ms(status["now_ms"])

    assert "started" in ctl.ok("start", "nightly")
    second = wait_count(run, "nightly", "start", 2)[1]
    job = ctl.job("nightly")
    assert (job["pid"], job["runs"]) == (second.pid, 2), job

    done = ctl("run", "web")
    assert done.returncode == 1 and done.stderr.startswith("gracectl: "), done
    assert len(events(run, "web", "start")) == 1
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


# --- health ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_health_follows_readiness(controlled, workdir, mode):
    """health is 0 while web, the essential service, is ready (side, not
    essential and never ready, does not count); once web crashes it is 1,
    naming web and its backoff, through the RestartSec=1s and the new
    web's start; 0 again only once the new web has made itself ready; 1
    while grace stops."""
    units = workdir / "units"
    write_unit(units, "web", svc("web", "--ready-after", 300, "--notify",
                                 "--term-ms", int(1000 * SLOW)),
               Type="notify", Restart="always", RestartSec="1s")
    write_unit(units, "side", svc("side"), Type="notify", Essential=False)
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "web")
    run.log.wait_for("side", "start")
    healthy = wait_until(lambda: (done := ctl("health")).returncode == 0 and done,
                         what="health 0")
    assert healthy.stderr == "", healthy.stderr

    run.kill_helper(event(run, "web", "start").pid, signal.SIGKILL)
    seen = []

    def healthy_again():
        done = ctl("health")
        seen.append((done.returncode, done.stderr))
        return done.returncode == 0
    wait_until(healthy_again, timeout=TIMEOUT + 1.0, what="health 0 again")
    assert len(events(run, "web", "readying")) == 2, \
        "healthy before the new web made itself ready"
    unhealthy = seen[:-1]
    assert ("gracectl: unhealthy: web is not ready (backoff)\n" in
            [stderr for _, stderr in unhealthy]), seen
    for code, stderr in unhealthy:
        assert code == 1, seen
        assert re.fullmatch(r"gracectl: unhealthy: web is not ready "
                            r"\((backoff|starting)\)\n", stderr), seen

    stop(run)
    run.log.wait_for("web", "term")
    done = ctl("health")
    assert done.returncode == 1 and done.stderr.startswith("gracectl: "), done
    run.wait()
    assert run.leftovers() == []


# --- who may ask -------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_only_graces_user_and_root_may_ask(controlled, workdir, mode):
    """grace as uid 1000: root and uid 1000 are answered; uid 1001 is
    refused (exit 3, "refused"), whether it asks for status or for a
    stop, which is not carried out; grace says so at -v."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, mode=mode, user=1000)
    wait_ready(run, "web")
    assert event(run, "web", "start").fields["uid"] == "1000"
    for uid in (None, 0, 1000):
        done = ctl("status", uid=uid)
        assert done.returncode == 0, f"uid {uid}: {done.stderr}"
        assert parse_table(done.stdout)["web"]["state"] == "running"
    for args in (["status"], ["stop", "web"]):
        done = ctl(*args, uid=1001)
        assert done.returncode == 3, done
        assert "refused" in done.stderr and done.stdout == "", done
    assert ctl.service("web")["state"] == "running"
    assert run.log.first("web", "term") is None
    assert any(line.startswith("grace: ") and "refused" in line and "1001" in line
               for line in run.stderr().splitlines()), run.stderr()
    stop(run)
    assert run.wait() == 0


# --- grace's side of the socket ------------------------------------------------

def raw_request(path, payload, shut=False):
    """Speaks the protocol by hand: connects to PATH, sends PAYLOAD (bytes;
    when grace hangs up first, what is left is not sent), shuts the
    writing side when SHUT, and reads until grace hangs up; what it
    replied."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(path))
        s.settimeout(TIMEOUT)
        try:
            s.sendall(payload)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        try:
            while chunk := s.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass
        return reply


@pytest.mark.parametrize("payload, shut, expect", [
    (b"\x00\xff\x01 junk\n", False, "usage"),
    (b"frobnicate web\n", False, "usage"),
    (b"signal  web HUP\n", False, "usage"),
    (b"signal web NOPE\n", False, "usage"),
    (b"status --json --json --json --json\n", False, "usage"),
    (b"x" * (1 << 20), False, "refused or dropped"),
    (b"status", True, "dropped"),
], ids=["binary", "unknown", "two-spaces", "bad-signal", "too-many-words",
        "megabyte", "no-newline"])
def test_garbage_is_refused(controlled, workdir, payload, shut, expect):
    """What is not a request gets a usage reply ("2\\n...") or is dropped
    without one (a line of a megabyte, a request cut short), and grace
    goes on: status answers, web runs on, a restart is carried out, and
    a stop ends grace with 0."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    pid = event(run, "web", "start").pid
    reply = raw_request(ctl.control, payload, shut)
    if expect == "usage":
        assert reply.startswith(b"2\n") and reply.count(b"\n") == 2, reply
    elif expect == "dropped":
        assert reply == b"", reply
    else:
        assert reply == b"" or reply.startswith(b"2\n"), reply[:200]
    assert ctl.service("web")["pid"] == pid
    assert run.log.first("web", "sig") is None
    ctl.ok("restart", "web")
    wait_count(run, "web", "start", 2)
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


def test_raw_protocol(controlled, workdir):
    """The protocol by hand: one line, then "CODE\\n" and the text, and
    grace hangs up: 0 with the table for status, 1 and one line for a name
    it does not know, 0 for a signal sent."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    code, _, text = raw_request(ctl.control, b"status\n").decode().partition("\n")
    assert code == "0" and parse_table(text)["web"]["state"] == "running"
    assert raw_request(ctl.control, b"stop nope\n") == \
        b"1\nno service or job named 'nope'\n"
    assert raw_request(ctl.control, b"signal web HUP\n").startswith(b"0\n")
    run.log.wait_for("web", "sig", "HUP")
    stop(run)
    assert run.wait() == 0


@pytest.mark.parametrize("stalled", [MAX_CLIENTS - 1, MAX_CLIENTS])
def test_stalled_clients_take_places_until_dropped(controlled, workdir, stalled):
    """Clients that connect and never write: grace drops each after 2 s.
    Up to 15 of them leave gracectl a place, answered at once; 16 take
    every place, and gracectl waits in the backlog until the first is
    dropped.  Meanwhile grace supervises: a stop afterwards ends it with
    0."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    clients = []
    for _ in range(stalled):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(ctl.control)
        s.settimeout(CLIENT_TIMEOUT + TIMEOUT)
        clients.append((s, time.monotonic()))
    first_connected = clients[0][1]
    done = ctl("status")
    answered_at = time.monotonic()
    assert done.returncode == 0, done.stderr
    hangups = []
    for s, connected in clients:
        assert s.recv(1) == b"", "grace wrote to a client that asked nothing"
        hangups.append(time.monotonic() - connected)
        s.close()
    for took in hangups:
        assert CLIENT_TIMEOUT - TOL <= took < generous(CLIENT_TIMEOUT), hangups
    if stalled < MAX_CLIENTS:
        assert answered_at - first_connected < CLIENT_TIMEOUT, \
            "gracectl waited though a place was free"
    else:
        assert answered_at - first_connected >= CLIENT_TIMEOUT - TOL, \
            "gracectl answered while every place was taken"
    stop(run)
    assert run.wait() == 0


class Flood:
    """COUNT clients of a control socket at once, a thread each.  A stalled
    one connects and never writes, and waits for grace to hang up; an
    asking one asks for status again and again until told to stop or
    grace has gone, and keeps the replies' first lines.  Each notes when
    it saw an error.  Each connects in blocking mode, so that it waits
    while the backlog is full: with a timeout Python makes the socket
    non-blocking, and connect() to a full backlog fails with EAGAIN."""

    def __init__(self, path, count, stalled):
        self.path = str(path)
        self.lock = threading.Lock()
        self.connected = 0
        self.codes = []
        self.errors = []
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._stall if stalled
                                         else self._ask, daemon=True)
                        for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _failed(self, error):
        with self.lock:
            self.errors.append((time.monotonic(), error))

    def _stall(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(self.path)
                with self.lock:
                    self.connected += 1
                s.settimeout(4 * TIMEOUT)
                s.recv(1)
            except OSError as e:
                self._failed(e)

    def _ask(self):
        while not self.done.is_set():
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(self.path)
                    s.settimeout(TIMEOUT)
                    s.sendall(b"status\n")
                    reply = b""
                    while chunk := s.recv(65536):
                        reply += chunk
            except OSError as e:
                self._failed(e)
                return
            with self.lock:
                self.codes.append(reply.partition(b"\n")[0])

    def join(self):
        """Tells the clients to stop; waits for every thread."""
        self.done.set()
        for thread in self.threads:
            thread.join(TIMEOUT)
        assert not any(thread.is_alive() for thread in self.threads), \
            "a client of the flood is still waiting"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stalled", [True, False], ids=["stalled", "asking"])
def test_a_flood_of_clients_does_not_hold_up_a_stop(controlled, workdir,
                                                    mode, stalled):
    """100 clients at once, stalled (they connect and never write) or
    asking status as fast as grace answers: a ticker service is still
    restarted on time, and a stop takes its normal time (b's 300 ms, then
    a's 300 ms, by grace's own count and by the events) and ends grace
    with 0.  Every asking client that got a reply got a 0; none lost its
    connection before grace was done."""
    units = workdir / "units"
    write_unit(units, "a", svc("a", "--term-ms", 300))
    write_unit(units, "b", svc("b", "--term-ms", 300), After="a")
    write_unit(units, "ticker", svc("ticker", "--after", 100, "--exit", 0),
               Restart="always", RestartSec="100ms", StartLimitBurst=1000,
               Essential=False)
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "a", "b")
    flood = Flood(ctl.control, 100, stalled)
    try:
        if stalled:
            # 16 taken, the backlog full: the rest wait in connect().
            wait_until(lambda: flood.connected >= 64, what="the flood's connections")
        else:
            wait_until(lambda: len(flood.codes) >= 200, what="the flood's replies")
        flooded_at = time.monotonic()
        ticks = len(events(run, "ticker", "start"))
        starts = wait_count(run, "ticker", "start", ticks + 2)
        ends = events(run, "ticker", "exit")
        for start_ in starts:
            if start_.t <= flooded_at:
                continue
            end = max(e.t for e in ends if e.t < start_.t)
            assert 0.1 - TOL <= start_.t - end < generous(0.1), \
                f"the ticker restarted {start_.t - end:.3f}s after its exit"
        stop_at = stop(run)
        assert run.wait() == 0
    finally:
        flood.join()
    term_b = stopped_by_grace(run, "b", after=stop_at)
    done_b = event(run, "b", "stopped")
    term_a = stopped_by_grace(run, "a", after=done_b.t)
    assert term_b.t - stop_at < 0.25 * SLOW, "b's stop signal came late"
    assert term_a.t - done_b.t < 0.1 * SLOW, "a's stop signal came late"
    took = stop_took_ms(run)
    assert 600 - 1000 * TOL <= took < 1000 * generous(0.6), \
        f"the stop took {took}ms"
    last = event(run, "a", "exit")
    for at, error in flood.errors:
        assert at > last.t, f"a client lost its connection while grace ran: {error}"
    if not stalled:
        assert flood.codes and set(flood.codes) <= {b"0", b""}, set(flood.codes)
    assert run.leftovers() == []


# --- gracectl's own errors -----------------------------------------------------

@pytest.mark.parametrize("args", [["start", "nope"], ["stop", "nope"],
                                  ["restart", "nope"],
                                  ["signal", "nope", "HUP"], ["run", "nope"]],
                         ids=lambda args: args[0])
def test_unknown_name(controlled, workdir, args):
    """A name that is neither a service nor a job: 1, and one line."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    done = ctl(*args)
    assert done.returncode == 1, done
    assert done.stderr == "gracectl: no service or job named 'nope'\n"
    assert done.stdout == ""
    assert len(events(run, "web", "start")) == 1 and run.running()


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["status", "--yaml"],
    ["status", "web"],
    ["start"],
    ["start", "web", "other"],
    ["signal", "web"],
    ["signal", "web", "NOPE"],
    ["signal", "web", "0"],
    ["run"],
    ["health", "now"],
    ["--control"],
], ids=lambda argv: "-".join(argv) or "nothing")
def test_usage_errors(controlled, workdir, argv):
    """A command line gracectl cannot make a request of: 2, nothing on
    stdout, and a line on stderr; grace, there to be asked, goes on."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    done = ctl(*argv)
    assert done.returncode == 2, done
    assert done.stdout == "" and done.stderr.strip(), done
    assert run.log.first("web", "sig") is None and run.running()


def nowhere(workdir, where):
    """A --control value where no grace listens: a path that does not
    exist, a plain file, a socket file no one listens on (as a grace
    killed leaves behind), an abstract name no one has."""
    if where == "missing":
        return str(workdir / "nope.sock")
    if where == "file":
        (workdir / "file").touch()
        return str(workdir / "file")
    if where == "stale":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(str(workdir / "stale.sock"))
        return str(workdir / "stale.sock")
    return f"@grace-test-{uuid.uuid4().hex}"


@pytest.mark.parametrize("where", ["missing", "file", "stale", "abstract"])
@pytest.mark.parametrize("args", [["status"], ["stop", "web"], ["health"]],
                         ids=["status", "stop", "health"])
def test_unreachable_grace(workdir, gracectl, where, args):
    """--control where no grace listens (no such file, a plain file, a
    socket left behind, an abstract name no one has): 3, one line."""
    done = subprocess.run([gracectl, *args, "--control", nowhere(workdir, where)],
                          capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 3, done
    assert done.stdout == "" and done.stderr.startswith("gracectl: "), done
    assert done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize("place", ["first", "after", "last"])
def test_control_anywhere_on_the_command_line(controlled, workdir, place):
    """gracectl takes --control before the command, after it, or after
    the command's own options."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units)
    wait_ready(run, "web")
    option = ["--control", ctl.control]
    argv = {"first": option + ["status", "--json"],
            "after": ["status"] + option + ["--json"],
            "last": ["status", "--json"] + option}[place]
    done = run.inside([ctl.gracectl, *argv], check=False)
    assert done.returncode == 0, done.stderr
    assert by_name(json.loads(done.stdout)["services"])["web"]["state"] == "running"


# --- the default socket ---------------------------------------------------------

# grace as PID 1 with a /run of its own (a tmpfs only root may write) and
# a network namespace of its own (its own abstract socket names), then as
# the user given.
PRIVATE_RUN = ["/bin/sh", "-c", 'mount -t tmpfs -o mode=755 grace-run /run '
               '&& exec unshare --net "$@"', "sh"]


def inside_net(run, argv):
    """Runs ARGV in the run's PID, mount and network namespaces."""
    return subprocess.run(["nsenter", "-t", str(run.host_pid), "-p", "-m",
                           "-n", "--", *argv], capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("case, socket_at", [
    ("root", "/run/grace/control"),
    ("user", "@grace-control-1000"),
    ("single", None),
    ("no-control", None),
])
def test_default_socket(start, workdir, gracectl, case, socket_at):
    """No --control: with services, grace as root listens on
    /run/grace/control; as uid 1000, which cannot make /run/grace, on
    @grace-control-1000, which gracectl as root finds through PID 1's
    owner.  A single command, or services with --no-control, have no
    socket, and gracectl cannot reach grace (3)."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    grace = [GRACE, "-v"]
    if case == "single":
        grace += ["--", *svc("web")]
    else:
        grace += ["--services", str(units)]
        grace += ["--no-control"] if case == "no-control" else []
    user = as_user(1000) if case == "user" else []
    # Not the per-test socket conftest gives every grace: the default.
    run = start([], init="grace", init_argv=PRIVATE_RUN + user + grace,
                env={"GRACE_CONTROL": ""})
    wait_ready(run, "web")
    done = inside_net(run, [gracectl, "status"])
    unix = inside_net(run, ["cat", "/proc/net/unix"]).stdout
    if socket_at is None:
        assert done.returncode == 3, done
        assert "grace-control" not in unix and "/run/grace" not in unix, unix
    else:
        assert done.returncode == 0, done.stderr
        assert parse_table(done.stdout)["web"]["state"] == "running"
        assert re.search(rf" {re.escape(socket_at)}$", unix, re.M), unix
    stop(run)
    assert run.wait() == 0


@pytest.mark.parametrize("runtime", ["runc", "crun"])
def test_default_socket_in_a_container(start, workdir, gracectl, runtime):
    """In a container with a read-only rootfs and no /run, grace as root
    listens on @grace-control-0 (the container's own network namespace
    holds the name), and gracectl, entered as `docker exec` enters, finds
    it."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run = start_grace(start, units, runtime=runtime)
    wait_ready(run, "web")
    done = run.inside([gracectl, "status"], check=False)
    assert done.returncode == 0, done.stderr
    assert parse_table(done.stdout)["web"]["state"] == "running"
    unix = run.inside(["cat", "/proc/net/unix"]).stdout
    assert re.search(r" @grace-control-0$", unix, re.M), unix
    stop(run)
    assert run.wait() == 0


# --- gracectl ps ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_ps_names_the_service(controlled, workdir, mode):
    """With grace reachable, gracectl ps names the service each of its
    processes belongs to (web and the child it started, db), in the JSON
    and in the table's SERVICE column; grace itself belongs to none."""
    units = workdir / "units"
    write_unit(units, "web", actor("web", "[", "w1", "]"))
    write_unit(units, "db", svc("db"))
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "web", "w1", "db")
    want = {event(run, name, "start").pid: service
            for name, service in (("web", "web"), ("w1", "web"), ("db", "db"))}
    want[run.init_pid_inside()] = None
    processes = {p["pid"]: p for p in json.loads(ctl.ok("ps", "--json"))["processes"]}
    for pid, service in want.items():
        assert processes[pid]["service"] == service, processes[pid]
    rows = {}
    for line in ctl.ok("ps").splitlines()[1:]:
        words = line.split()
        if len(words) >= 7 and words[0].isdigit():
            rows[int(words[0])] = words[6]
    for pid, service in want.items():
        assert rows[pid] == (service or "-"), (pid, rows[pid])
    stop(run)
    assert run.wait() == 0


# --- sequences that must not end the container ------------------------------

def test_stopping_a_waiting_service(controlled, workdir):
    """`gracectl stop cache` while cache still waits for db: cache ends at
    once, held, and web, which Requires= it and waits too, ends with it
    once db is ready rather than start; neither stops the container,
    since gracectl asked, and health names web."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--ready-after", 600, "--notify"),
               Type="notify")
    write_unit(units, "cache", svc("cache"), Requires="db", After="db")
    write_unit(units, "web", svc("web"), Requires="cache", After="cache")
    run, ctl = controlled(units)
    run.log.wait_for("db", "start")
    assert ctl.service("cache")["state"] == "waiting"
    ctl.ok("stop", "cache")
    wait_until(lambda: ctl.service("web")["state"] in ("done", "failed"),
               what="web ended with cache")
    wait_ready(run, "db")
    assert ctl.service("cache")["state"] == "done"
    assert run.log.first("cache", "start") is None
    assert run.log.first("web", "start") is None
    assert run.running(), "stopping a waiting service ended the container"
    done = ctl("health")
    assert done.returncode == 1 and "cache" in done.stderr, done
    stop(run)
    assert run.wait() == 0


def test_starting_a_service_whose_requirement_is_stopped(controlled, workdir):
    """`gracectl stop db` stops api (Requires=db) with it; `gracectl start
    api`, while api still stops or once it has ended, answers no (1): it
    would end again at once, and no longer held, stop the container."""
    units = workdir / "units"
    write_unit(units, "db", svc("db"))
    write_unit(units, "api", svc("api", "--term-ms", 400), Requires="db",
               After="db")
    run, ctl = controlled(units)
    wait_ready(run, "db", "api")
    ctl.ok("stop", "db")
    run.log.wait_for("api", "term")
    for _ in range(2):
        done = ctl("start", "api")
        assert done.returncode == 1, done
        assert "requires has ended" in done.stderr, done.stderr
        wait_until(lambda: ctl.service("api")["state"] == "done",
                   what="api ended")
    assert run.running(), "starting api ended the container"
    assert len(events(run, "api", "start")) == 1
    ctl.ok("start", "db")
    wait_until(lambda: ctl.service("db")["state"] == "running",
               what="db back")
    ctl.ok("start", "api")
    wait_until(lambda: len(events(run, "api", "ready")) == 2,
               what="api back")
    stop(run)
    assert run.wait() == 0


def test_stopping_an_essential_jobs_run(controlled, workdir):
    """`gracectl stop` of an essential job's run that needs SIGKILL: the
    run fails, but gracectl asked, so the container goes on."""
    run, ctl = controlled(write_job(workdir, svc("nightly", "--ignore-term")))
    ctl.ok("run", "nightly")
    run.log.wait_for("nightly", "ready")
    ctl.ok("stop", "nightly")
    run.log.wait_for("nightly", "term")
    wait_until(lambda: ctl.job("nightly")["state"] == "idle",
               what="the run killed")
    assert ctl.job("nightly")["last_exit"]["clean"] is False
    assert run.running(), "stopping an essential job's run ended grace"
    stop(run)
    assert run.wait() == 0


def write_job(workdir, argv):
    """UNITS/nightly.service: an essential job on a far schedule that
    ignores SIGTERM, killed 300 ms after its stop signal."""
    units = workdir / "units"
    write_unit(units, "nightly", argv, Schedule="0 0 1 1 *",
               Essential=True, TimeoutStopSec="300ms")
    return units
