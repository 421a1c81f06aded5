# SPDX-License-Identifier: MIT
"""Restarts: Restart=, RestartSec= and systemd's back-off (RestartSteps=,
RestartMaxDelaySec=), and the start limit past which a service gives up
(StartLimitBurst= in StartLimitIntervalSec=).  A crash loop costs grace
next to no CPU.

A restart's delay is read from the events: from the "exit" the service
logs just before it exits to the next "start", which is at least the
delay; the upper bounds are generous, they only catch a wrong timer."""

import signal

import pytest

from conftest import SLOW, skip_under_valgrind
from services import (TOL, cpu_seconds, event, events, generous,
                      start_grace, stderr_lines, stop, stopped_by_grace, svc,
                      wait_count, wait_ready, write_unit)


def restart_gaps(run, name):
    """The delays between each exit of NAME and its next start."""
    starts = events(run, name, "start")
    ends = [e for e in run.log.of(name) if e.event in ("exit", "raise")]
    return [starts[i + 1].t - ends[i].t for i in range(len(starts) - 1)]


def test_backoff_grows_to_its_maximum(start, workdir):
    """RestartSec=100ms, RestartSteps=3, RestartMaxDelaySec=800ms: systemd's
    delays 100 * 8^(i/3) ms for the restarts i = 0..3, then 800 ms: 100,
    200, 400, 800, 800.  The sixth start uses up StartLimitBurst=6: the
    service gives up and, essential, ends the container with its 1."""
    units = workdir / "units"
    write_unit(units, "crash", svc("crash", "--exit", 1), Restart="always",
               RestartSec="100ms", RestartSteps=3, RestartMaxDelaySec="800ms",
               StartLimitBurst=6, StartLimitIntervalSec="30s")
    run = start_grace(start, units)
    assert run.wait(timeout=10.0 * SLOW) == 1
    assert len(events(run, "crash", "start")) == 6
    gaps = restart_gaps(run, "crash")
    want = [0.1, 0.2, 0.4, 0.8, 0.8]
    for i, (gap, delay) in enumerate(zip(gaps, want)):
        assert gap >= delay - TOL, f"restart {i} after {gap:.3f}s, want {delay}s: {gaps}"
        assert gap < generous(delay), f"restart {i} after {gap:.3f}s: {gaps}"
    assert gaps[0] < gaps[1] < gaps[2] < gaps[3], f"no back-off: {gaps}"
    assert run.leftovers() == []


def test_restart_sec_without_steps(start, workdir):
    """Without RestartSteps= every restart waits RestartSec=."""
    units = workdir / "units"
    write_unit(units, "crash", svc("crash", "--exit", 2), Restart="on-failure",
               RestartSec="150ms", StartLimitBurst=3)
    run = start_grace(start, units)
    assert run.wait() == 2
    gaps = restart_gaps(run, "crash")
    assert len(gaps) == 2
    for gap in gaps:
        assert 0.15 - TOL <= gap < generous(0.15), gaps


def test_gives_up_past_the_start_limit(start, workdir):
    """StartLimitBurst=3 in 10 s: three starts, then the service gives up;
    essential, it ends the container with its status, 7."""
    units = workdir / "units"
    write_unit(units, "crash", svc("crash", "--exit", 7), Restart="always",
               StartLimitBurst=3, StartLimitIntervalSec="10s")
    run = start_grace(start, units)
    assert run.wait() == 7
    assert len(events(run, "crash", "start")) == 3
    # The default RestartSec= is 100 ms.
    for gap in restart_gaps(run, "crash"):
        assert gap >= 0.1 - TOL
    assert any(line.startswith("grace: crash: ") for line in stderr_lines(run))
    assert run.leftovers() == []


def test_crash_loop_costs_no_cpu(start, workdir):
    """While a service crashes and waits out its restarts, grace sleeps: its
    CPU time over the loop (three starts 200 ms apart, read while grace
    still runs for the essential anchor) stays a small part of it."""
    skip_under_valgrind("grace's CPU time is valgrind's")
    units = workdir / "units"
    # Exit 0, Restart=always: the loop ends in a give-up, and the stop
    # afterwards finds no unclean status.
    write_unit(units, "crash", svc("crash", "--exit", 0), Restart="always",
               RestartSec="200ms", StartLimitBurst=3, StartLimitIntervalSec="10s",
               Essential=False)
    write_unit(units, "anchor", svc("anchor"))
    run = start_grace(start, units)
    exits = wait_count(run, "crash", "exit", 3)
    cpu = cpu_seconds(run.host_pid)
    loop = exits[2].t - event(run, "crash", "start").t
    assert loop >= 0.4 - TOL
    assert cpu <= max(0.05, 0.25 * loop) * SLOW, \
        f"grace used {cpu:.2f}s of CPU over a {loop:.2f}s crash loop"
    assert run.running()
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "anchor", after=stop_at)
    assert len(events(run, "crash", "start")) == 3
    assert run.leftovers() == []


@pytest.mark.parametrize("restart, code, starts, status", [
    ("no", 1, 1, 1),
    ("on-failure", 1, 2, 1),
    ("on-failure", 0, 1, 0),
    ("always", 0, 2, 1),
], ids=["no", "on-failure-fails", "on-failure-succeeds", "always-succeeds"])
def test_restart_policies(start, workdir, restart, code, starts, status):
    """Restart=no never restarts; on-failure restarts a failure, not a
    success; always restarts both.  With StartLimitBurst=2 a restarted
    service gives up after its second start; either way the essential
    service's end stops the container with its status.  Giving up is a
    failure (systemd's start-limit-hit), so a service that gave up after
    exits of 0 makes it 1, never 0."""
    units = workdir / "units"
    write_unit(units, "job", svc("job", "--exit", code), Restart=restart,
               RestartSec="50ms", StartLimitBurst=2)
    run = start_grace(start, units)
    assert run.wait() == status
    assert len(events(run, "job", "start")) == starts
    assert run.leftovers() == []


def test_death_by_signal_is_a_failure_to_restart(start, workdir):
    """Restart=on-failure restarts a service killed by a signal; giving up
    it ends the container with 128+N."""
    units = workdir / "units"
    write_unit(units, "job", svc("job", "--raise", "KILL"), Restart="on-failure",
               RestartSec="50ms", StartLimitBurst=2)
    run = start_grace(start, units)
    assert run.wait() == 128 + signal.SIGKILL
    assert len(events(run, "job", "start")) == 2


def test_dependents_run_on_while_a_service_restarts(start, workdir):
    """A service that restarts leaves the services after it running
    (After= orders their starts, no more): the container goes on.  (The
    stop's status is left alone: flaky's exits were unclean.)"""
    units = workdir / "units"
    write_unit(units, "flaky", svc("flaky", "--after", 100, "--exit", 1),
               Restart="always", RestartSec="100ms", StartLimitBurst=3,
               Essential=False)
    write_unit(units, "web", svc("web"), After="flaky")
    run = start_grace(start, units)
    wait_ready(run, "web")
    wait_count(run, "flaky", "start", 2)
    assert run.log.first("web", "term") is None
    stop_at = stop(run)
    run.wait()
    stopped_by_grace(run, "web", after=stop_at)
    assert run.leftovers() == []
