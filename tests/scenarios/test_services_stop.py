# SPDX-License-Identifier: MIT
"""Stopping services: the main process first, then the services in reverse
dependency order, each level side by side, each with its KillSignal= and
TimeoutStopSec=, every stop signal followed by SIGCONT; then whatever is
left.  grace's exit code, row by row of its contract.  Faults: a service
that ignores its stop signal, readiness that never comes, a notification
from an intruder, a daemon a service leaves behind.

Orders are read from the events: svc logs "term" when its stop signal
arrives and "stopped" just before it exits, so "X's term after Y's stopped"
proves that grace waited for Y before it signalled X."""

import dataclasses
import signal

import pytest

from conftest import RUNTIMES, SLOW, TIMEOUT
from services import (SLACK, TOL, event, generous, start_grace, stop,
                      stopped_by_grace, svc, unescape, wait_reaped,
                      wait_ready, write_unit)


def write_chain(units, term_ms, **keys):
    """a; b After=a; c and d After=b: levels a, b, c d.  Each takes TERM_MS
    over its stop."""
    args = ["--term-ms", term_ms]
    write_unit(units, "a", svc("a", *args), **keys)
    write_unit(units, "b", svc("b", *args), After="a", **keys)
    write_unit(units, "c", svc("c", *args), After="b", **keys)
    write_unit(units, "d", svc("d", *args), After="b", **keys)
    return ["a", "b", "c", "d"]


def check_cont_follows(run, name, sig="TERM"):
    """NAME's stop signal SIG came from grace and a SIGCONT from grace came
    after it, while NAME was still handling it."""
    init = str(run.init_pid_inside())
    got = event(run, name, "sig", sig)
    assert got.fields["from"] == init, got.line
    conts = [e for e in run.log.of(name, "sig", "CONT")
             if e.t > got.t and e.fields["from"] == init]
    assert conts, f"no SIGCONT from grace after {name}'s SIG{sig}\n{run.log.dump()}"
    assert conts[0].t < event(run, name, "stopped").t


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("with_main", [False, True], ids=["services", "main"])
def test_stop_in_reverse_dependency_order(start, workdir, runtime, with_main):
    """SIGTERM to grace: the main process (if any) stops first; then c and
    d together (the second's SIGTERM before the first has stopped), then b
    once both have stopped, then a once b has."""
    units = workdir / "units"
    names = write_chain(units, 200)
    main = svc("main", "--term-ms", 200) if with_main else []
    run = start_grace(start, units, main=main, runtime=runtime)
    wait_ready(run, *names, *(["main"] if main else []))
    stop_at = stop(run)
    assert run.wait() == 0
    term = {name: stopped_by_grace(run, name, after=stop_at).t for name in names}
    done = {name: event(run, name, "stopped").t for name in names}
    assert max(term["c"], term["d"]) < min(done["c"], done["d"]), \
        "c and d were not stopped side by side"
    assert term["b"] > max(done["c"], done["d"]), "b was stopped before c and d"
    assert term["a"] > done["b"], "a was stopped before b"
    if with_main:
        stopped_by_grace(run, "main", after=stop_at)
        assert min(term.values()) > event(run, "main", "stopped").t, \
            "a service was stopped before the main process"
    for name in names:
        check_cont_follows(run, name)
    assert run.exited_at > done["a"]
    assert run.leftovers() == []


def test_stop_takes_milliseconds(start, workdir):
    """Services that exit at once on SIGTERM: the whole stop, three levels
    deep, takes milliseconds; no timer paces it."""
    units = workdir / "units"
    names = write_chain(units, 0)
    run = start_grace(start, units)
    wait_ready(run, *names)
    stop(run)
    assert run.wait() == 0
    first = min(event(run, name, "term").t for name in names)
    last = event(run, "a", "exit").t
    assert last - first < 0.1 * SLOW, f"the stop took {last - first:.3f}s"
    assert run.exited_at - last < 0.2 * SLOW
    assert run.leftovers() == []


def test_kill_signal_then_cont(start, workdir):
    """KillSignal=SIGINT: the service gets SIGINT, then SIGCONT, and no
    SIGTERM while it takes its time."""
    units = workdir / "units"
    write_unit(units, "web", svc("web", "--term-on", "INT", "--term-ms", 200),
               KillSignal="SIGINT")
    run = start_grace(start, units)
    wait_ready(run, "web")
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "web", after=stop_at)
    check_cont_follows(run, "web", "INT")
    assert run.log.first("web", "sig", "TERM") is None
    assert run.leftovers() == []


# --- the exit code contract --------------------------------------------------

@dataclasses.dataclass
class Row:
    """One row of the contract: the services (name: (svc options, unit
    keys)), the main process's svc options (None: no main process), how
    the container ends ("self": on its own, "stop": SIGTERM to grace once
    everyone is ready, "stop-after:NAME": SIGTERM once NAME has ended and
    grace has reaped it), grace's exit code, and who grace stops."""

    units: dict
    main: list
    how: str
    code: int
    stopped: list
    why: str = ""


def fails(code, **keys):
    """A service that exits CODE 200 ms after its start."""
    return (["--after", 200, "--exit", code], keys)


RUNNING = ([], {})

ROWS = {
    "main-exits-5": Row({"web": RUNNING}, ["--exit", 5], "self", 5, ["web"],
                        "the main process's status"),
    "main-stopped": Row({"web": RUNNING}, ["--term-exit", 6], "stop", 6,
                        ["main", "web"], "the main process's status"),
    "main-killed": Row({"web": RUNNING}, ["--raise", "KILL"], "self", 137,
                       ["web"], "128+N for the main process's signal N"),
    "stop-all-clean": Row({"web": RUNNING, "db": RUNNING}, None, "stop", 0,
                          ["web", "db"], "every service exited cleanly"),
    "stop-unclean": Row({"web": (["--term-exit", 3], {}), "db": RUNNING}, None,
                        "stop", 3, ["web", "db"], "the first unclean status"),
    "stop-first-unclean": Row(
        {"web": (["--term-exit", 3], {}),
         "db": (["--term-ms", 300, "--term-exit", 5], {})},
        None, "stop", 3, ["web", "db"],
        "web's 3 came first, db's 5 300 ms later"),
    "success-exit-status": Row(
        {"web": (["--term-exit", 3], {"SuccessExitStatus": 3}), "db": RUNNING},
        None, "stop", 0, ["web", "db"], "SuccessExitStatus= is clean"),
    "own-kill-signal": Row(
        {"web": (["--term-on", "INT", "--term-exit", "raise"],
                 {"KillSignal": "SIGINT"}),
         "db": (["--term-exit", "raise"], {})},
        None, "stop", 0, ["web", "db"],
        "death by its own KillSignal= is clean (SIGINT, and the default SIGTERM)"),
    "essential-exits-4": Row(
        {"web": fails(4), "db": (["--term-exit", 9], {})}, None, "self", 4,
        ["db"], "the essential service's status, not db's 9 at the stop"),
    "essential-exits-0": Row(
        {"web": fails(0), "db": (["--term-exit", 9], {})}, None, "self", 0,
        ["db"], "the essential service's status, even 0"),
    "essential-killed": Row(
        {"web": (["--after", 200, "--raise", "KILL"], {}), "db": RUNNING},
        None, "self", 137, ["db"], "128+9"),
    # The contract: "on a stop signal with no main process, 0 if every
    # service exited cleanly ..., else the first unclean status".  Read as
    # written: web is a service, it exited 4 (before the stop, and it was
    # not essential, so the container ran on); it did not exit cleanly, so
    # the stop's status is 4.
    "non-essential-exits-4": Row(
        {"web": fails(4, Essential=False), "db": RUNNING}, None,
        "stop-after:web", 4, ["db"],
        "the container runs on; the first unclean status is still web's"),
    "main-0-after-essential-failure": Row(
        {"web": fails(4)}, [], "self", 4, ["main"],
        "never 0 after an essential service's failure"),
    "main-6-after-essential-failure": Row(
        {"web": fails(4)}, ["--term-exit", 6], "self", 6, ["main"],
        "the main process's status when it is not 0"),
}


def end_of(run, name):
    """NAME's last event: its exit, or the raise of its death."""
    ends = [e for e in run.log.of(name) if e.event in ("exit", "raise")]
    assert ends, f"{name} never ended\n{run.log.dump()}"
    return ends[-1]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_exit_code_contract(start, workdir, runtime, row):
    units = workdir / "units"
    for name, (args, keys) in row.units.items():
        # Ready once its signal handling is in place: a main process that
        # ends at once must not stop a service still starting up.
        write_unit(units, name, svc(name, "--notify", *args),
                   **{"Type": "notify", **keys})
    main = svc("main", *row.main) if row.main is not None else []
    run = start_grace(start, units, main=main, runtime=runtime)
    names = list(row.units) + (["main"] if main else [])
    after = None
    if row.how == "stop":
        wait_ready(run, *names)
        after = stop(run)
    elif row.how.startswith("stop-after:"):
        ended = row.how.partition(":")[2]
        wait_ready(run, *names)
        wait_reaped(run, run.log.wait_for(ended, "exit").pid)
        # grace has acted on the end: a signal now goes to the services
        # that still run, and none of them has been stopped.
        run.signal(signal.SIGUSR1)
        for name in names:
            if name != ended:
                run.log.wait_for(name, "sig", "USR1")
                assert run.log.first(name, "term") is None, \
                    f"{name} was stopped when {ended} ended"
        after = stop(run)
    assert run.wait() == row.code, row.why
    if after is None:
        # It ended on its own: what ended it came first.
        enders = [name for name in names if name not in row.stopped]
        after = min(end_of(run, name).t for name in enders)
    for name in row.stopped:
        stopped_by_grace(run, name, after=after)
    assert run.leftovers() == []


# --- faults ------------------------------------------------------------------

@pytest.mark.parametrize("runtime", RUNTIMES)
def test_stubborn_service_is_killed_after_its_stop_timeout(start, workdir, runtime):
    """A service that ignores SIGTERM gets SIGKILL TimeoutStopSec=300ms
    after it (its process group does): it never logs "stopped", and grace
    exits then, not after its 5 s --grace.  The other service, in the same
    level, is stopped at the same time and normally.  SIGKILL is not the
    stubborn one's KillSignal=: 137, its unclean status."""
    units = workdir / "units"
    write_unit(units, "stubborn", svc("stubborn", "--ignore-term"),
               TimeoutStopSec="300ms")
    write_unit(units, "polite", svc("polite", "--term-ms", 100))
    run = start_grace(start, units, runtime=runtime)
    wait_ready(run, "stubborn", "polite")
    stop_at = stop(run)
    assert run.wait() == 128 + signal.SIGKILL
    term = stopped_by_grace(run, "stubborn", after=stop_at)
    polite = stopped_by_grace(run, "polite", after=stop_at)
    assert polite.t < term.t + 0.3 - TOL, "polite waited for stubborn's timeout"
    event(run, "polite", "stopped")
    assert run.log.first("stubborn", "stopped") is None
    assert run.log.first("stubborn", "exit") is None
    assert run.exited_at - term.t >= 0.3 - SLACK, "SIGKILL before TimeoutStopSec="
    assert run.exited_at - term.t < generous(0.3)
    assert run.leftovers() == []


def test_readiness_timeout_fails_the_start(start, workdir):
    """Type=notify, and READY=1 never comes: TimeoutStartSec=300ms after
    its start the start has failed; grace stops it, the service after it
    never starts, and, essential, it ends the container with a failure."""
    units = workdir / "units"
    write_unit(units, "slow", svc("slow"), Type="notify", TimeoutStartSec="300ms")
    write_unit(units, "after", svc("after"), After="slow")
    run = start_grace(start, units, main=svc("main", "--exit", 0))
    code = run.wait()
    assert code != 0, "a failed start counted as a success"
    started = event(run, "slow", "start")
    term = stopped_by_grace(run, "slow")
    assert term.t - started.t >= 0.3 - SLACK, "the start failed early"
    assert term.t - started.t < generous(0.3)
    assert run.log.of("after") == []
    assert run.log.of("main") == []
    assert run.leftovers() == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_notification_from_an_intruder_is_ignored(start, workdir, runtime):
    """A process from outside the service (entered as `docker exec` does)
    sends READY=1 to the service's notify socket: it does not make the
    service ready; b still waits for a's own READY=1, 1 s after a's
    start."""
    units = workdir / "units"
    write_unit(units, "a", svc("a", "--ready-after", 1000, "--notify"), Type="notify")
    write_unit(units, "b", svc("b"), After="a")
    run = start_grace(start, units, runtime=runtime)
    address = unescape(run.log.wait_for("a", "start").fields["notify"])
    assert address != "-", "Type=notify without NOTIFY_SOCKET"
    run.enter(svc("intruder", "--notify-to", address, "--exit", 0))
    sent = run.log.wait_for("intruder", "ready")
    run.log.wait_for("b", "start", timeout=TIMEOUT + 1.0)
    readying = event(run, "a", "readying")
    assert sent.t < readying.t, "the intruder came too late to prove anything"
    assert event(run, "b", "start").t > readying.t, "the intruder made a ready"
    wait_ready(run, "b")
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


def test_daemon_left_behind_is_stopped(start, workdir):
    """A Type=simple service forks a daemon (its own session) and exits 0;
    not essential, its end stops nothing.  At the stop, after the services,
    the daemon gets SIGTERM all the same."""
    units = workdir / "units"
    write_unit(units, "forker", svc("forker", "--fork-daemon", "--exit", 0),
               Essential=False)
    write_unit(units, "anchor", svc("anchor"))
    run = start_grace(start, units)
    wait_ready(run, "anchor")
    daemon = run.log.wait_for("forker", "daemon-start")
    assert daemon.fields["sid"] == str(daemon.pid)
    wait_reaped(run, run.log.wait_for("forker", "exit").pid)
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "anchor", after=stop_at)
    term = event(run, "forker", "daemon-term")
    assert term.fields["from"] == str(run.init_pid_inside())
    assert term.t > event(run, "anchor", "exit").t, \
        "the daemon was stopped before the services"
    assert run.leftovers() == []
