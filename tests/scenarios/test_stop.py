# SPDX-License-Identifier: MIT
"""The stop sequence: once the main child has exited, every process left
gets SIGTERM, and grace exits only when the last one is gone, never while a
SIGTERM handler is still running.

Each actor logs "done init=STATE" when its handler ends, STATE being what
/proc said about the init at that moment: "alive" is proof that the init
had not begun to exit (as PID 1, exiting would have killed the actor)."""

import os
import signal
import time

import pytest

from conftest import (MODES, OTHER_INITS, PLACES, RUNTIMES, SLOW, actor,
                      proc_stat, wait_until)

REPEATS = 5

# The tree: the main child; a worker in its group; an actor that escaped
# into its own session, with a child of its own; a double-forked daemon in
# its own session, adopted by the init.
OTHERS = ["worker", "escaped", "escaped-kid", "daemon"]
ALL = ["main"] + OTHERS


def tree(handler_ms, *main_args):
    ms = str(handler_ms)
    return actor("main", "--term-ms", "50", *main_args,
                 "[", "worker", "--term-ms", ms, "]",
                 "[", "escaped", "--setsid", "--term-ms", ms,
                 "[", "escaped-kid", "--term-ms", ms, "]", "]",
                 "[", "daemon", "--double-fork", "--setsid", "--term-ms", ms, "]")


# How the main child ends: asked to stop (SIGTERM to grace), on its own (a
# batch job that exits 3), or in a crash (SIGKILL straight to it).
HOW = {
    "stop": ((), 128 + signal.SIGTERM),
    "batch": (("--exit-on", "USR1", "--exit", "3"), 3),
    "crash": ((), 128 + signal.SIGKILL),
}


def end_main(run, how, started):
    """Makes the main child end HOW; returns a time before which it had
    certainly not ended."""
    if how == "stop":
        run.signal(signal.SIGTERM)
        return run.log.wait_for("main", "raise").t
    before = time.monotonic()
    if how == "batch":
        run.kill_helper(started["main"].pid, signal.SIGUSR1)
    else:
        run.kill_helper(started["main"].pid, signal.SIGKILL)
    return before


def check_everyone_stopped(run, code, main_end):
    """Every process got SIGTERM from the init once the main child had
    ended, finished its handler while the init was still alive, and the init
    exited with the main child's status after the last of them."""
    assert run.wait() == code
    log = run.log
    dones = []
    for name in OTHERS:
        term = log.first(name, "term")
        done = log.first(name, "done")
        assert term is not None, f"{name} never got SIGTERM"
        assert term.fields["from"] == str(run.init_pid_inside()), name
        assert term.t > main_end, f"{name} got SIGTERM before main ended"
        assert done is not None, f"{name} never finished its handler"
        assert done.fields["init"] == "alive", f"the init left before {name} was done"
        dones.append(done.t)
    assert run.exited_at > max(dones)
    assert run.leftovers() == []
    assert run.stderr() == ""


def run_tree(start, how, handler_ms, **where):
    """Runs the tree where WHERE (mode, runtime) says, ends its main child
    HOW, and checks that everyone was stopped."""
    main_args, code = HOW[how]
    run = start(tree(handler_ms, *main_args), **where)
    started = run.log.wait_ready(*ALL)
    main_end = end_main(run, how, started)
    check_everyone_stopped(run, code, main_end)
    return run


@pytest.mark.parametrize("mode, runtime", PLACES)
@pytest.mark.parametrize("how", HOW)
def test_stop_waits_for_every_handler(start, mode, runtime, how):
    run_tree(start, how, handler_ms=1000, mode=mode, runtime=runtime)


# In the bare namespace only: the test above runs under runc and crun, and
# containers would add some 12 s to each pass of the suite.
@pytest.mark.parametrize("repeat", range(1, REPEATS + 1), ids=lambda r: f"run{r}")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", HOW)
def test_stop_waits_for_every_handler_repeatedly(start, mode, how, repeat):
    run_tree(start, how, handler_ms=300, mode=mode)


@pytest.mark.parametrize("mode, runtime", PLACES)
@pytest.mark.parametrize("straggler", ["catches-term", "ignores-term"])
def test_straggler_is_killed_after_the_grace_period(start, mode, runtime,
                                                    straggler):
    on_term = "stay" if straggler == "catches-term" else "ignore"
    run = start(actor("main", "[", "straggler", "--on-term", on_term, "]"),
                mode=mode, runtime=runtime, grace=0.5)
    run.log.wait_ready("main", "straggler")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    # The main child died after it logged "raise", and the grace period
    # began after that.
    main_end = run.log.first("main", "raise").t
    if straggler == "catches-term":
        term = run.log.first("straggler", "term")
        assert term is not None and term.t > main_end
        after = [e for e in run.log.of("straggler") if e.t > term.t]
        # It never exits by itself: SIGKILL took it.
        assert all(e.event == "sig" and e.args == ["CONT"] for e in after), after
    assert 0.5 <= run.exited_at - main_end <= 0.5 + 1.5 * SLOW
    assert run.leftovers() == []


@pytest.mark.parametrize("mode, runtime", PLACES)
def test_grace_zero_kills_at_once(start, mode, runtime):
    run = start(actor("main", "[", "worker", "--term-ms", "2000", "]",
                      "[", "straggler", "--on-term", "stay", "]"),
                mode=mode, runtime=runtime, grace=0)
    run.log.wait_ready("main", "worker", "straggler")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    assert run.exited_at - run.log.first("main", "raise").t < 1.0 * SLOW
    assert run.log.first("worker", "done") is None
    assert run.leftovers() == []


def test_plain_grace_leaves_processes_outside_its_tree_alone(start, sibling):
    """Not PID 1, grace stops its descendants only: an actor the test
    started beside it gets nothing."""
    outside_proc, outside = sibling("outside")
    outside.wait_ready("outside")
    run = start(tree(300), mode="plain")
    started = run.log.wait_ready(*ALL)
    main_end = end_main(run, "stop", started)
    check_everyone_stopped(run, 128 + signal.SIGTERM, main_end)
    # Anything grace sent it is pending by now, and the standard signals
    # are read before a real-time one.
    os.kill(outside_proc.pid, signal.SIGRTMIN + 1)
    marker = outside.wait_for("outside", "sig", "RTMIN+1")
    before = [e.event for e in outside.of("outside") if e.t < marker.t]
    assert before == ["start", "ready"]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("init", OTHER_INITS)
def test_other_inits_leave_before_the_handlers_end(start, runtime, init):
    """Proof that the tests above can fail: these inits exit when the main
    child does, and the kernel SIGKILLs what is left of the namespace.  The
    actor in its own session never even gets SIGTERM: they do not signal
    other sessions."""
    run = start(tree(1000), init=init, runtime=runtime,
                group=init == "dumb-init")
    run.log.wait_ready(*ALL)
    run.signal(signal.SIGTERM)
    run.wait()
    log = run.log
    for name in ("escaped", "escaped-kid", "daemon"):
        assert log.first(name, "term") is None, name
        assert log.first(name, "done") is None, name
    assert run.leftovers() == []


@pytest.mark.parametrize("mode, runtime", PLACES)
def test_stopped_process_is_continued_to_handle_term(start, mode, runtime):
    """A process stopped by SIGSTOP cannot run its handler: the SIGCONT
    after the SIGTERM lets it."""
    run = start(actor("main", "[", "worker", "--term-ms", "100", "]"),
                mode=mode, runtime=runtime, grace=3)
    started = run.log.wait_ready("main", "worker")
    worker = run.host_pid_of(started["worker"].pid)
    os.kill(worker, signal.SIGSTOP)
    wait_until(lambda: (proc_stat(worker) or "?")[0] == "T", what="worker stopped")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    done = run.log.first("worker", "done")
    assert done is not None and done.fields["init"] == "alive"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_stop_as_nobody(start, runtime):
    """grace as PID 1 without privileges still stops the whole tree."""
    run = start(tree(300), user="nobody", runtime=runtime)
    started = run.log.wait_ready(*ALL)
    main_end = end_main(run, "stop", started)
    check_everyone_stopped(run, 128 + signal.SIGTERM, main_end)


@pytest.mark.parametrize("mode, runtime", PLACES)
def test_process_started_during_the_stop_is_waited_for(start, mode, runtime):
    """A handler that starts a process (a cleanup job) and exits: grace
    inherits the newcomer and exits only once it is gone."""
    run = start(actor("main", "[", "escaped", "--setsid", "--term-ms", "100",
                      "--spawn-on-term", "[", "cleanup", "--after", "500", "]", "]"),
                mode=mode, runtime=runtime)
    run.log.wait_ready("main", "escaped")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    assert run.log.first("cleanup", "start"), "the cleanup job never started"
    end = run.log.first("cleanup", "exit") or run.log.first("cleanup", "done")
    assert end is not None, "the cleanup job never finished"
    assert end.fields["init"] == "alive"
    assert run.exited_at > end.t
    assert run.leftovers() == []


def enter_visitor(start, runtime, how="stop", init=None):
    """Starts a container under RUNTIME, enters a visitor from outside as
    `docker exec` does (nsenter, `runc exec`, `crun exec`) that takes 1 s
    over its SIGTERM handler, and makes the main child end HOW.  Returns the
    run, the main child's exit status and a time before which it had
    certainly not ended."""
    main_args, code = HOW[how]
    run = start(actor("main", *main_args), runtime=runtime, init=init)
    started = run.log.wait_ready("main")
    run.enter(actor("visitor", "--term-ms", "1000"), env={"ACTOR_INIT_PID": "1"})
    run.log.wait_ready("visitor")
    return run, code, end_main(run, how, started)


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("how", ["stop", "batch"])
def test_process_entered_from_outside_is_stopped_too(start, runtime, how):
    """As PID 1, "every process" is every process of the namespace, also
    one that entered it from outside, no child of grace (under crun, its
    process group and session are 0: they lie outside the namespace)."""
    run, code, main_end = enter_visitor(start, runtime, how)
    assert run.wait() == code
    term = run.log.first("visitor", "term")
    done = run.log.first("visitor", "done")
    assert term is not None, "the visitor never got SIGTERM (or died first)"
    assert term.fields["from"] == "1"
    assert term.t > main_end, "the visitor got SIGTERM before main ended"
    assert done is not None, "grace left while the visitor ran its handler"
    assert done.fields["init"] == "alive"
    assert run.exited_at > done.t


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("init", OTHER_INITS)
def test_other_inits_leave_before_an_entered_process_is_done(start, runtime,
                                                             init):
    """Proof that the test above can fail: these inits signal their child
    (or its group) alone and exit with it; the visitor gets no SIGTERM, and
    the kernel kills it with the namespace."""
    run, _, _ = enter_visitor(start, runtime, init=init)
    run.wait()
    assert run.log.first("visitor", "term") is None
    assert run.log.first("visitor", "done") is None
