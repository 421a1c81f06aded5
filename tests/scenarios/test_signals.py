# SPDX-License-Identifier: MIT
"""Signals sent to grace reach the main child (or its group with -g), from
the host or from inside the namespace, and an idle grace never wakes up."""

import signal
import time

import pytest

from conftest import (MODES, PLACES, RUNTIMES, actor, proc_stat, sig_log_name,
                      sig_number, skip_under_valgrind, wait_until)

# Every signal grace can forward: all but KILL and STOP (uncatchable), CHLD
# (grace's own), PIPE (ignored) and the faults the kernel sends for grace's
# own bugs (SEGV, BUS, ILL, FPE, ABRT, SYS, TRAP).
FORWARDED = ["HUP", "INT", "QUIT", "USR1", "USR2", "ALRM", "TERM", "STKFLT",
             "CONT", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
             "PROF", "WINCH", "IO", "PWR", "RTMIN", "RTMIN+1", "RTMIN+15",
             "RTMAX"]


def wait_received(log, name, sig):
    """Waits until actor NAME logs that SIG reached it; returns the event."""
    if sig == "TERM":
        return log.wait_for(name, "term")
    return log.wait_for(name, "sig", sig_log_name(sig_number(sig)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sig", FORWARDED)
def test_signal_reaches_main_child(start, mode, sig):
    if sig == "RTMAX":
        skip_under_valgrind("valgrind takes the highest real-time signal")
    run = start(actor("main"), mode=mode)
    run.log.wait_ready("main")
    run.signal(sig_number(sig))
    got = wait_received(run.log, "main", sig)
    assert got.fields["from"] == str(run.init_pid_inside())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("group", [True, False], ids=["with-g", "without-g"])
def test_group_forwarding_reaches_other_members(start, mode, group):
    """With -g, a signal goes to every member of the main child's group;
    without, to the main child alone."""
    run = start(actor("main", "[", "member", "]"), mode=mode, group=group)
    started = run.log.wait_ready("main", "member")
    assert started["member"].fields["pgid"] == str(started["main"].pid)
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    # Whatever grace sent the group is pending at the member by now, and
    # USR1 is read before the higher-numbered USR2 sent afterwards.
    run.kill_helper(started["member"].pid, signal.SIGUSR2)
    marker = run.log.wait_for("member", "sig", "USR2")
    before = [e for e in run.log.of("member", "sig") if e.t <= marker.t]
    assert any(e.args == ["USR1"] for e in before) == group


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("how", ["kill-1-command", "kill-1-syscall"])
def test_term_from_inside_the_namespace_stops(start, runtime, how):
    """`kill 1` inside a container asks for a stop, like `docker stop`."""
    if how == "kill-1-command":
        # Default disposition for TERM: only grace's forwarding can kill it.
        run = start(actor("main", "--catch", "WINCH"), runtime=runtime)
        run.log.wait_ready("main")
        # kill itself is in the namespace: the stop may catch it too.
        run.inside(["/bin/kill", "-TERM", "1"], check=False)
        assert run.wait() == 128 + signal.SIGTERM
    else:
        run = start(actor("main", "--send", "TERM:1"), runtime=runtime)
        term = run.log.wait_for("main", "term")
        assert term.fields["from"] == "1"
        assert run.wait() == 128 + signal.SIGTERM


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_term_from_inside_does_nothing_without_an_init(start, runtime):
    """Proof: PID 1 without a handler for TERM ignores `kill 1` from inside."""
    run = start(actor("main", "--catch", "WINCH"), init="none", runtime=runtime)
    run.log.wait_ready("main")
    run.inside(["/bin/kill", "-TERM", "1"])
    # A pending TERM would be acted on before the higher-numbered WINCH.
    run.inside(["/bin/kill", "-WINCH", "1"])
    run.log.wait_for("main", "sig", "WINCH")
    assert run.running()


@pytest.mark.parametrize("mode, runtime", PLACES)
def test_term_from_host_stops(start, mode, runtime):
    run = start(actor("main"), mode=mode, runtime=runtime)
    run.log.wait_ready("main")
    run.signal(signal.SIGTERM)
    assert run.log.wait_for("main", "done")
    assert run.wait() == 128 + signal.SIGTERM


IDLE_WINDOW = 1.5  # tini wakes up once a second


def idle_wakeups(run):
    """Voluntary context switches of the init over an idle window."""
    run.log.wait_ready("main")
    wait_until(lambda: (proc_stat(run.host_pid) or "?")[0] == "S",
               what="the init to sleep")
    before = run.voluntary_switches()
    time.sleep(IDLE_WINDOW)
    return run.voluntary_switches() - before


@pytest.mark.parametrize("mode", MODES)
def test_idle_grace_never_wakes_up(start, mode):
    run = start(actor("main"), mode=mode)
    assert idle_wakeups(run) == 0


def test_idle_tini_wakes_up(start):
    """Proof that the test above can fail."""
    run = start(actor("main"), init="tini")
    assert idle_wakeups(run) > 0
