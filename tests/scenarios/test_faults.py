# SPDX-License-Identifier: MIT
"""Faults injected around grace: fork and descriptors running out, main
processes and stragglers that will not stop, storms of signals and of
orphans, and descriptors that could leak into the child.  In each, grace
keeps working, loses no process and exits with the main process's status.

Waits are bounded by deadlines stretched by SLOW; they never pace a test."""

import errno
import os
import shlex
import signal
import subprocess
import time

import pytest

from conftest import (GRACE, MODES, SANITIZED, SLOW, TIMEOUT, actor, helper,
                      proc_field, proc_stat, skip_under_valgrind, wait_until)

# Every stop below uses these: short, so that a stop that does not end is
# seen quickly, and the bounds stay generous.
STOP_TIMEOUT = 0.5
GRACE_PERIOD = 0.5
SHORT_STOP = [GRACE, "--stop-timeout", str(STOP_TIMEOUT),
              "--grace", str(GRACE_PERIOD), "--"]
# What a stop may take beyond its timers: the helpers' own handlers, a busy
# machine, the sanitizers.
MARGIN = 3.0 * SLOW


def with_child(child, main):
    """A command that starts CHILD in the background and becomes MAIN, so
    that CHILD is the main process's child, orphaned when it exits."""
    return ["sh", "-c", f"{shlex.join(child)} & exec {shlex.join(main)}"]


def straggler(name, mode):
    """The command line of a straggler (see tests/helpers/straggler.c)."""
    return [helper("straggler"), name, mode]


def state_of(run, pid):
    """The state letter of a helper's process (its pid as logged)."""
    stat = proc_stat(run.host_pid_of(pid))
    return stat[0] if stat else None


def wait_stopped(run, pid):
    wait_until(lambda: state_of(run, pid) == "T", what=f"pid {pid} stopped")


# --- fork fails ------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_fork_failure_before_the_child_exists(start, mode):
    skip_under_valgrind("tests/valgrind.sh itself forks before grace runs")
    """As nobody with RLIMIT_NPROC 1, grace itself is the one process the
    limit allows: it cannot fork the child, says so in one line and exits
    125, having started nothing."""
    env = None
    if SANITIZED:
        # LeakSanitizer checks at exit from a process it clones, which the
        # same limit forbids ("LeakSanitizer has encountered a fatal
        # error", exit 1): no leak check here; ASan and UBSan still run.
        options = os.environ.get("ASAN_OPTIONS")
        env = {"ASAN_OPTIONS": (options + ":" if options else "") + "detect_leaks=0"}
    run = start(actor("main"), mode=mode, user="nobody", env=env,
                init_argv=["prlimit", "--nproc=1", GRACE, "--"])
    assert run.wait() == 125
    assert run.stderr() == ("grace: unable to start " + actor("main")[0] +
                            ": unable to fork: Resource temporarily unavailable\n")
    assert run.log.events() == []
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_fork_failure_in_the_workload(start, mode):
    """The workload forks until the process limit stops it (EAGAIN): grace,
    under the same limit, needs no fork to stop every process it made."""
    run = start([helper("forker"), "1000"], mode=mode, user="nobody",
                init_argv=["prlimit", "--nproc=20"] + SHORT_STOP)
    forked = run.log.wait_for("forker", "forked")
    assert forked.fields["errno"] == str(errno.EAGAIN), forked.line
    made = int(forked.fields["n"])
    # grace and the forker count too, and other processes of nobody may.
    assert 1 <= made <= 18, forked.line
    wait_until(lambda: len(run.log.of("child", "ready")) == made,
               what=f"{made} children ready")
    assert run.zombie_children() == 0
    run.signal(signal.SIGTERM)
    assert run.wait(TIMEOUT) == 128 + signal.SIGTERM
    terms = run.log.of("child", "term")
    assert len(terms) == made, run.log.dump()
    assert {e.fields["from"] for e in terms} == {str(run.init_pid_inside())}
    assert run.leftovers() == []
    assert run.stderr() == ""


# --- descriptors run out ---------------------------------------------------

SHORT_ORPHANS = 200
LONG_ORPHANS = 3


@pytest.mark.parametrize("mode", MODES)
def test_descriptors_exhausted_in_the_workload(start, mode):
    """A workload out of descriptors (EMFILE) hands orphans to grace: it
    reaps the short-lived ones and stops the rest."""
    run = start(["prlimit", "--nofile=8", helper("fdhog"),
                 str(SHORT_ORPHANS), str(LONG_ORPHANS)], mode=mode)
    assert run.log.wait_for("fdhog", "emfile") is not None
    run.log.wait_for("fdhog", "ready")
    wait_until(lambda: len(run.log.of("orphan", "ready")) == LONG_ORPHANS,
               what=f"{LONG_ORPHANS} long orphans ready")
    wait_until(lambda: run.zombie_children() == 0, what="no zombie left")
    run.signal(signal.SIGTERM)
    assert run.wait(TIMEOUT) == 128 + signal.SIGTERM
    terms = run.log.of("orphan", "term")
    assert len(terms) == LONG_ORPHANS, run.log.dump()
    assert {e.fields["from"] for e in terms} == {str(run.init_pid_inside())}
    assert run.leftovers() == []
    assert run.stderr() == ""


# --- a main process that will not stop: --stop-timeout -------------------

# How the main process resists SIGTERM; each has a worker child that stops
# as asked, once grace gets to it.
STUBBORN_MAINS = {
    "ignores-term": lambda: actor("main", "--on-term", "ignore", "[", "worker", "]"),
    "catches-term": lambda: actor("main", "--on-term", "stay", "[", "worker", "]"),
    "blocks-all": lambda: with_child(actor("worker"), straggler("main", "block")),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", STUBBORN_MAINS)
def test_stop_timeout_kills_a_stubborn_main(start, mode, how):
    """A main process that outlives the stop signal by --stop-timeout gets
    SIGKILL (exit code 137), however it resisted, and the stop of the rest
    follows."""
    run = start(STUBBORN_MAINS[how](), mode=mode, init_argv=SHORT_STOP)
    run.log.wait_ready("main", "worker")
    asked = time.monotonic()
    run.signal(signal.SIGTERM)
    code = run.wait(STOP_TIMEOUT + GRACE_PERIOD + MARGIN)
    assert code == 128 + signal.SIGKILL
    assert run.exited_at - asked >= STOP_TIMEOUT
    if how == "catches-term":
        term = run.log.first("main", "term")
        assert term is not None and term.fields["from"] == str(run.init_pid_inside())
    # The rest of the stop went on as usual once the main process was dead.
    worker_term = run.log.first("worker", "term")
    assert worker_term is not None, run.log.dump()
    assert worker_term.t > asked + STOP_TIMEOUT
    assert run.log.first("worker", "done") is not None
    assert run.leftovers() == []
    assert run.stderr() == ""


def term_pending(run, pid):
    """Whether SIGTERM waits for the helper's process (its pid as logged)."""
    try:
        with open(f"/proc/{run.host_pid_of(pid)}/status") as status:
            masks = [int(line.split()[1], 16) for line in status
                     if line.startswith(("SigPnd:", "ShdPnd:"))]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return any(mask & (1 << (signal.SIGTERM - 1)) for mask in masks)


@pytest.mark.parametrize("init", ["grace", "tini"])
def test_stopped_main_is_continued_to_stop(start, init):
    """A main process that stopped itself (SIGSTOP) gets SIGCONT after the
    stop signal, so it ends at once rather than at --stop-timeout's SIGKILL.
    tini forwards SIGTERM alone: the main process stays stopped with the
    signal pending, and would be killed at the engine's timeout."""
    cmd = actor("main", "--raise", "STOP")
    if init == "grace":
        run = start(cmd, init_argv=SHORT_STOP)
    else:
        run = start(cmd, init=init)
    main = run.log.wait_for("main", "raise")
    wait_stopped(run, main.pid)
    asked = time.monotonic()
    run.signal(signal.SIGTERM)
    if init == "tini":
        wait_until(lambda: term_pending(run, main.pid), what="SIGTERM pending")
        assert state_of(run, main.pid) == "T", "tini continued the main process"
        os.kill(run.host_pid_of(main.pid), signal.SIGCONT)
        run.wait()
        return
    code = run.wait(STOP_TIMEOUT + GRACE_PERIOD + MARGIN)
    assert code == 128 + signal.SIGSTOP, "not the main process's own end"
    assert run.log.first("main", "exit").t - asked < STOP_TIMEOUT
    assert run.leftovers() == []
    assert run.stderr() == ""


# --- stragglers that will not stop: --grace --------------------------------

STRAGGLERS = {
    "ignores-term": lambda: straggler("straggler", "ignore"),
    "blocks-all": lambda: straggler("straggler", "block"),
    "stops-itself": lambda: straggler("straggler", "stop"),
    "fork-loop": lambda: [helper("churn"), "straggler", "--on-term", "stay"],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", STRAGGLERS)
def test_straggler_is_killed(start, mode, how):
    """The main process stops on SIGTERM; the straggler it leaves resists
    SIGTERM any way it can, and SIGKILL ends it after the grace period."""
    run = start(with_child(STRAGGLERS[how](), actor("main")), mode=mode,
                init_argv=SHORT_STOP)
    started = run.log.wait_ready("main", "straggler")
    if how == "stops-itself":
        wait_stopped(run, started["straggler"].pid)
    run.signal(signal.SIGTERM)
    assert run.wait(GRACE_PERIOD + MARGIN) == 128 + signal.SIGTERM
    main_end = run.log.first("main", "raise").t
    assert run.exited_at - main_end >= GRACE_PERIOD
    if how == "stops-itself":
        # The SIGCONT after the SIGTERM woke it; it stopped itself again.
        assert [e for e in run.log.of("straggler", "continued") if e.t > main_end]
    if how == "fork-loop":
        term = run.log.first("straggler", "term")
        assert term is not None and term.fields["from"] == str(run.init_pid_inside())
        assert run.log.first("straggler", "forking") is not None, \
            "the fork loop did not go on after SIGTERM"
    assert run.leftovers() == []
    assert run.stderr() == ""


@pytest.mark.parametrize("mode", MODES)
def test_stopped_straggler_runs_its_handler(start, mode):
    """A straggler that stopped itself with SIGTERM blocked: the SIGCONT
    that follows grace's SIGTERM lets it handle it, and grace waits."""
    run = start(with_child(straggler("straggler", "stop-handler"), actor("main")),
                mode=mode, grace=3)
    started = run.log.wait_ready("main", "straggler")
    wait_stopped(run, started["straggler"].pid)
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    term = run.log.first("straggler", "term")
    done = run.log.first("straggler", "done")
    assert term is not None and term.fields["from"] == str(run.init_pid_inside())
    assert done is not None, run.log.dump()
    assert run.exited_at > done.t
    assert run.leftovers() == []


# --- a storm of signals ------------------------------------------------------

STORM = 100_000
STORM_SIGNALS = [signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH,
                 signal.SIGALRM] + [signal.SIGRTMIN + i for i in range(6)]
STORM_MASK = sum(1 << (sig - 1) for sig in STORM_SIGNALS)
# The zombies grace may have at one moment while the workload churns: a
# few dozen between two reaps, even when a long queue of signals makes each
# read slow; a reaper that stalls passes this within a second.
FEW_ZOMBIES = 200
# How long to watch grace's zombies after the storm, unless it has read
# every signal of it sooner.  The kernel's dequeue of a real-time signal
# walks the queue, so tens of thousands of them take many seconds to read
# whatever grace does: the watch is shorter, and the stop comes while some
# may still be queued.
STORM_WATCH = 2.0 * SLOW


def storm_pending(run):
    """The signals of the storm still queued for grace, as a mask."""
    return int(proc_field(run.host_pid, "ShdPnd"), 16) & STORM_MASK


@pytest.mark.parametrize("mode", MODES)
def test_signal_storm_while_children_churn(start, mode):
    """100,000 signals sent to grace while its main process makes orphans
    without pause: grace forwards them, keeps reaping while it works
    through them, and stops as asked."""
    run = start([helper("churn"), "main", "--orphans"], mode=mode,
                init_argv=SHORT_STOP)
    run.log.wait_ready("main")
    refused = 0
    for i in range(STORM):
        try:
            os.kill(run.host_pid, STORM_SIGNALS[i % len(STORM_SIGNALS)])
        except BlockingIOError:
            # A full queue of real-time signals.
            refused += 1
    assert refused < STORM
    assert run.running()
    peak = 0
    watch_end = time.monotonic() + STORM_WATCH

    def piled_up_or_watched():
        nonlocal peak
        peak = max(peak, run.zombie_children())
        return peak > FEW_ZOMBIES or not storm_pending(run) \
            or time.monotonic() > watch_end

    wait_until(piled_up_or_watched, timeout=STORM_WATCH + TIMEOUT,
               what="the watch of grace's zombies")
    assert peak <= FEW_ZOMBIES, \
        f"{peak} zombies piled up while grace read the signals of the storm"
    run.signal(signal.SIGTERM)
    assert run.wait(TIMEOUT) == 128 + signal.SIGTERM
    term = run.log.first("main", "term")
    assert term is not None and term.fields["from"] == str(run.init_pid_inside())
    assert int(term.fields["signals"]) > 0, "no signal was forwarded"
    assert run.leftovers() == []


# --- a storm of orphans ------------------------------------------------------

# 50,000 orphans are 100,000 forks: some 15 s on a small machine (0.3 ms
# an orphan), sanitizers or not (the storm helper is not sanitized).  As
# PID 1, the container's case, the whole storm; as a plain process (a
# subreaper), a tenth of it, to keep the file within its time.
ORPHANS = {"pid1": 50_000, "plain": 5_000}
RSS_SLACK_KB = 256


def rss_kb(run):
    return int(proc_field(run.host_pid, "VmRSS").split()[0])


@pytest.mark.parametrize("mode", MODES)
def test_orphan_storm_leaves_no_zombie_and_no_growth(start, mode):
    """grace reaps every orphan of the storm and keeps nothing of them: its
    resident memory does not grow."""
    orphans = ORPHANS[mode]
    run = start([helper("storm"), str(orphans)], mode=mode)
    # The first orphan is adopted: grace is in its loop, the storm begun.
    run.log.wait_for("storm", "adopted")
    before = rss_kb(run)
    run.log.wait_for("storm", "created", timeout=orphans / 1000 * SLOW + TIMEOUT)
    wait_until(lambda: run.zombie_children() == 0, what="no zombie left")
    after = rss_kb(run)
    assert after - before <= RSS_SLACK_KB, f"VmRSS {before} kB -> {after} kB"
    run.signal(signal.SIGTERM)
    assert run.wait() == 0
    assert run.leftovers() == []
    assert run.stderr() == ""


# --- no descriptor leaks into the child ------------------------------------

# grace with one more descriptor than the usual three, inherited (7, open
# on /dev/null, not close-on-exec): it must reach the child, and nothing of
# grace's own may come with it.
WITH_FD_7 = ["sh", "-c", 'exec 7</dev/null; exec "$@"', "sh", GRACE, "--"]


@pytest.mark.parametrize("mode", MODES)
def test_no_descriptor_leaks_into_the_child(start, mode):
    run = start([helper("fds")], mode=mode, init_argv=WITH_FD_7)
    assert run.wait() == 0
    seen = {int(e.args[0]): e for e in run.log.of("fds", "fd")}
    assert sorted(seen) == [0, 1, 2, 7], \
        "\n".join(e.line for e in seen.values())
    assert seen[7].fields["target"] == "/dev/null"
    assert run.stderr() == ""


# --- a /proc that is not the namespace's ------------------------------------

def test_pid1_with_the_hosts_proc_exits():
    """grace as PID 1 of a new PID namespace that still sees the host's
    /proc (`unshare --pid --fork` without --mount-proc): once its child has
    exited it looks in /proc for processes entered from outside, and must
    not take the host's for them (their pids are not in its namespace, so
    each pidfd_open fails with ESRCH); it exits at once with the child's
    status, neither spinning nor waiting."""
    argv = ["unshare", "--pid", "--fork", "--kill-child", "setsid",
            GRACE, "--", "sh", "-c", "exit 7"]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("grace did not exit: it took the host's processes "
                    "for its own")
    assert done.returncode == 7, done.stderr
    assert done.stderr == b""
