# SPDX-License-Identifier: MIT
"""Scheduled jobs: a crontab (--crontab), --cron one-liners and units with
Schedule=, run by grace itself in its one loop.  Each run is its own
process group with grace's environment plus the job's variables, and its
output is labelled with the job's name; Overlap= (skip, allow, replace),
TimeoutSec= and Essential= decide what a slow or failing run does; at a
stop, running jobs get their KillSignal with everything else.

The jobs here use the seconds field, so that a few runs take a few
seconds; the svc helper (tests/helpers/svc.c) plays the job and logs its
start (with real=, the time of day it started), its signals and its end.
Timings come from the events; waits are bounded by deadlines."""

import os
import re
import shlex
import signal
import time

import pytest

from conftest import RUNTIMES, TIMEOUT, tagged_pids, wait_until
from services import (SLACK, TOL, event, start_grace, stop, stopped_by_grace,
                      svc, wait_count, write_unit)

# Seconds-field schedules: every second, every other second.
EACH_SECOND = "* * * * * *"
EVERY_2S = "*/2 * * * * *"
# Runs come this many seconds apart at most before a test gives up.
RUN_TIMEOUT = TIMEOUT + 3


def shell_line(argv):
    """ARGV as a crontab command (run by /bin/sh -c)."""
    return " ".join(shlex.quote(str(word)) for word in argv)


def write_crontab(workdir, lines, name="crontab"):
    """Writes a crontab of LINES (strings); returns its path."""
    path = workdir / name
    path.write_text("".join(line + "\n" for line in lines))
    path.chmod(0o644)
    return path


def cron_options(crontab=None, crons=(), extra=()):
    """grace's options for a crontab and --cron one-liners."""
    options = ["--crontab", str(crontab)] if crontab is not None else []
    for line in crons:
        options += ["--cron", line]
    return options + list(extra)


def runs_of(run, name, count):
    """Waits for COUNT starts of job helper NAME; returns the start events."""
    return wait_count(run, name, "start", count, timeout=RUN_TIMEOUT)


def real(event_):
    return float(event_.fields["real"])


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_seconds_field_job_runs_each_second(start, workdir, runtime):
    """A job on every second runs once per second: its starts fall in
    consecutive seconds of the clock, each in its own process group (a
    group of its own, not grace's) and grace's session, with grace as its
    parent; a stop ends grace with 0 (the job is not essential, and no run
    failed)."""
    line = f"{EACH_SECOND} " + shell_line(svc("tick", "--exit", 0))
    run = start_grace(start, options=cron_options(crons=[line]),
                      runtime=runtime)
    starts = runs_of(run, "tick", 4)
    seconds = [int(real(s)) for s in starts[:4]]
    assert seconds == list(range(seconds[0], seconds[0] + 4)), \
        f"runs not in consecutive seconds: {[s.line for s in starts]}"
    init = str(run.init_pid_inside())
    for s in starts:
        assert s.fields["ppid"] == init, s.line
        assert s.fields["pgid"] == str(s.pid), f"not its own group: {s.line}"
        assert s.fields["sid"] != s.fields["pgid"], s.line
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


def test_crontab_job_sees_environment_and_is_labelled(start, workdir):
    """A crontab job runs through /bin/sh -c with grace's environment plus
    the variables above it (not those below), and its output comes out as
    "NAME | line", NAME from "# name:" or cron.LINE."""
    crontab = write_crontab(workdir, [
        "GREETING = 'hello there'",
        "# name: greeter",
        f"{EACH_SECOND} " + shell_line(svc("env", "--print-env",
                                           "GREETING,FROM_GRACE,LATER",
                                           "--exit", 0)),
        f"{EACH_SECOND} echo \"said $GREETING\\%\"",
        "LATER=1",
    ])
    run = start_grace(start, options=cron_options(crontab),
                      env={"FROM_GRACE": "inherited"})
    run.log.wait_for("env", "exit", timeout=RUN_TIMEOUT)
    seen = {}
    for e in run.log.of("env", "env"):
        seen.update(e.fields)
        seen.update({arg: None for arg in e.args})
    assert seen == {"GREETING": "hello\\x20there", "FROM_GRACE": "inherited",
                    "LATER": None}, seen
    wait_until(lambda: re.search(r"^cron\.4 +\| said hello there%$",
                                 run.stdout(), re.M),
               what="cron.4's labelled line")
    stop(run)
    assert run.wait() == 0


def test_overlap_skip_never_runs_twice_at_once(start, workdir):
    """Overlap=skip (the default): a run that takes 2.5 s on an every-second
    schedule is never joined by a second one; the next starts at the first
    due second after it ended, and grace says which runs it skipped."""
    line = f"{EACH_SECOND} " + shell_line(svc("slow", "--exit", 0, "--after", 2500))
    run = start_grace(start, options=cron_options(crons=[line]))
    starts = runs_of(run, "slow", 2)
    exits = run.log.of("slow", "exit")
    assert exits and exits[0].t < starts[1].t, "two runs at once"
    assert starts[1].t - exits[0].t < 1.0 + SLACK
    assert re.search(r"cron\.arg1: skipping this run", run.stderr())
    stop(run)
    assert run.wait() == 0


def test_overlap_allow_runs_side_by_side(start, workdir):
    """Overlap=allow: a run that takes 2.5 s does not hold back the next:
    two runs go on at once."""
    units = workdir / "units"
    write_unit(units, "side", svc("side", "--exit", 0, "--after", 2500),
               Schedule=EACH_SECOND, Overlap="allow")
    run = start_grace(start, units)
    starts = runs_of(run, "side", 2)
    first_exit = run.log.first("side", "exit")
    assert first_exit is None or first_exit.t > starts[1].t, "runs did not overlap"
    stop(run)
    assert run.wait() == 0


def test_overlap_replace_stops_the_running_one(start, workdir):
    """Overlap=replace: at its next due time the running one gets its
    KillSignal, finishes its handler (200 ms), and only then does the new
    run start."""
    units = workdir / "units"
    write_unit(units, "rep", svc("rep", "--term-ms", 200), Schedule=EVERY_2S,
               Overlap="replace")
    run = start_grace(start, units)
    starts = runs_of(run, "rep", 2)
    term = stopped_by_grace(run, "rep")
    stopped = event(run, "rep", "stopped")
    assert term.pid == starts[0].pid
    assert starts[1].t > stopped.t, "the new run started before the old ended"
    stop(run)
    assert run.wait() == 0


def test_timeout_kills_the_whole_group(start, workdir):
    """GRACE_TIMEOUT=1s: the run still going after 1 s gets SIGTERM sent to
    its whole process group, so the sleep its shell left in the background
    dies with it (yacron#70: `sh -c 'sleep 999'` must not survive).  The
    failed run is logged with its status and duration."""
    crontab = write_crontab(workdir, [
        "GRACE_TIMEOUT=1s",
        f"{EVERY_2S} sleep 999 & " + shell_line(svc("stuck")),
    ])
    run = start_grace(start, options=cron_options(crontab))
    started = runs_of(run, "stuck", 1)[0]
    term = run.log.wait_for("stuck", "term", timeout=RUN_TIMEOUT)
    assert term.t - started.t >= 1.0 - SLACK
    assert term.fields["from"] == str(run.init_pid_inside())
    wait_until(lambda: re.search(r"cron\.2: run failed: killed by SIGTERM "
                                 r"after 1(\.\d{3})?s \(timed out\)", run.stderr()),
               what="the timed-out run's failure line")
    group = int(started.fields["pgid"])
    wait_until(lambda: not [pid for pid in tagged_pids(run.tag)
                            if _pgid_inside(run, pid) == group],
               what="the run's whole group gone")
    stop(run)
    assert run.wait() == 0


def test_timeout_reaches_what_ignores_sigterm(start, workdir):
    """A job unit with TimeoutSec=500ms and TimeoutStopSec=500ms whose shell
    dies of SIGTERM but leaves behind a process that ignores it: the run
    is not over while its group is not; 500 ms after the SIGTERM, SIGKILL
    reaches the one left."""
    units = workdir / "units"
    write_unit(units, "grp",
               f"/bin/sh -c '{shell_line(svc('grp', '--ignore-term'))} & wait'",
               Schedule=EVERY_2S, TimeoutSec="500ms", TimeoutStopSec="500ms")
    run = start_grace(start, units)
    started = runs_of(run, "grp", 1)[0]
    term = run.log.wait_for("grp", "term", timeout=RUN_TIMEOUT)
    wait_until(lambda: re.search(r"grp: still running 500ms after its stop "
                                 r"signal, killing it", run.stderr()),
               what="the SIGKILL line")
    wait_until(lambda: not run.log.of("grp", "stopped") and
               not [pid for pid in tagged_pids(run.tag)
                    if _pgid_inside(run, pid) == int(started.fields["pgid"])],
               what="the group killed")
    assert term.t - started.t >= 0.5 - SLACK
    stop(run)
    assert run.wait() == 0


def _pgid_inside(run, host_pid):
    """The process group of HOST_PID as seen in grace's namespace, or None."""
    try:
        with open(f"/proc/{host_pid}/status") as f:
            for line in f:
                if line.startswith("NSpgid:"):
                    return int(line.split()[-1])
    except OSError:
        return None
    return None


@pytest.mark.parametrize("essential", [False, True], ids=["plain", "essential"])
def test_failing_job(start, workdir, essential):
    """A run that exits 3 is logged with its status; the container keeps
    running (the main process goes on) unless the job is essential
    (GRACE_ESSENTIAL=yes), which stops it with that status."""
    crontab = write_crontab(workdir, (["GRACE_ESSENTIAL=yes"] if essential else []) + [
        f"{EACH_SECOND} " + shell_line(svc("failing", "--exit", 3)),
    ])
    run = start_grace(start, main=svc("main", "--term-ms", 50),
                      options=cron_options(crontab))
    if essential:
        assert run.wait() == 3
        stopped_by_grace(run, "main")
        assert re.search(r"cron\.\d+: run failed: exited with 3", run.stderr())
        return
    runs_of(run, "failing", 2)
    wait_until(lambda: len(re.findall(r"run failed: exited with 3 after",
                                      run.stderr())) >= 2,
               what="two failure lines")
    assert run.log.first("main", "term") is None
    stop(run)
    assert run.wait() == 0


def test_reboot_job_runs_once_after_the_services_are_ready(start, workdir):
    """@reboot runs once, when grace starts, after the services are
    ready."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--ready-after", 300, "--notify"),
               Type="notify")
    write_unit(units, "boot", svc("boot", "--exit", 0), Schedule="@reboot")
    run = start_grace(start, units)
    run.log.wait_for("boot", "exit")
    assert event(run, "boot", "start").t > event(run, "db", "ready").t
    stop(run)
    assert run.wait() == 0
    assert len(run.log.of("boot", "start")) == 1


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_stop_while_a_job_runs(start, workdir, runtime):
    """A stop while a run goes on: the run gets its KillSignal from grace
    with everything else, finishes its 300 ms handler, and grace exits
    after it, with 0 (stopped by grace, the run did not fail)."""
    line = f"{EACH_SECOND} " + shell_line(svc("busy", "--term-ms", 300))
    run = start_grace(start, main=svc("main", "--term-ms", 50),
                      options=cron_options(crons=[line]), runtime=runtime)
    runs_of(run, "busy", 1)
    stop_at = stop(run)
    assert run.wait() == 0
    term = stopped_by_grace(run, "busy", after=stop_at)
    done = event(run, "busy", "stopped")
    assert done.t - term.t >= 0.3 - TOL
    assert run.exited_at > done.t
    assert len(run.log.of("busy", "start")) == 1, "a run started during the stop"
    assert run.leftovers() == []


def test_job_as_the_containers_user(start, workdir):
    """grace as uid 1000 (a non-root container, `USER 1000`): the job runs
    as the same user, with nothing to fail on (no setgroups, no pid file,
    no setpgid of its own group), and a stop ends it."""
    crontab = write_crontab(workdir, [
        f"{EACH_SECOND} " + shell_line(svc("job", "--exit", 0)),
    ])
    run = start_grace(start, options=cron_options(crontab), user=1000)
    starts = runs_of(run, "job", 2)
    assert [s.fields["uid"] for s in starts[:2]] == ["1000", "1000"]
    assert [s.fields["groups"] for s in starts[:2]] == ["-", "-"]
    stop(run)
    assert run.wait() == 0
    assert "unable" not in run.stderr()


def test_clock_set_plans_the_jobs_again(start, workdir):
    """Setting the clock (here to the time it already says, so that
    nothing else on the machine notices) cancels grace's realtime timer:
    grace plans every job again, and the job goes on running each
    second."""
    line = f"{EACH_SECOND} " + shell_line(svc("tick", "--exit", 0))
    run = start_grace(start, options=cron_options(crons=[line]))
    before = len(runs_of(run, "tick", 1))
    try:
        time.clock_settime(time.CLOCK_REALTIME,
                           time.clock_gettime(time.CLOCK_REALTIME))
    except PermissionError:
        pytest.skip("setting the clock needs CAP_SYS_TIME")
    wait_until(lambda: "the clock was set: planning the jobs' due times "
               "again" in run.stderr(), what="grace noticing the clock")
    runs_of(run, "tick", before + 2)
    stop(run)
    assert run.wait() == 0


def test_seed_crontab_at_check(start, workdir):
    """The seed's crontab, unchanged, at --check: two jobs, each with its
    next five runs at 16:00 and 02:00 UTC, in order; exit 0."""
    crontab = write_crontab(workdir, [
        "0 16 * * * /usr/local/bin/update-articles.sh >> "
        "/var/log/personal-website/articles-sync.log 2>&1",
        "0 2 * * * /usr/sbin/logrotate /etc/logrotate.d/personal-website",
    ])
    run = start_grace(start, options=cron_options(crontab), check=True,
                      verbose=False, env={"TZ": "UTC"})
    assert run.wait() == 0
    out = run.stdout().splitlines()
    assert out[0].startswith("job cron.1: '0 16 * * *' in UTC"), out
    times = [line.split()[:2] for line in out[1:6]]
    assert all(t[1] == "16:00:00" for t in times), out
    assert sorted(times) == times and len(set(t[0] for t in times)) == 5
    assert out[6].startswith("job cron.2: '0 2 * * *' in UTC"), out
    assert all(line.split()[1] == "02:00:00" for line in out[7:12]), out


@pytest.mark.parametrize("check", [True, False], ids=["check", "start"])
def test_zone_not_installed_is_an_error(start, workdir, check):
    """CRON_TZ naming a zone that is not installed: one line naming the
    crontab's line and the file it looked for, exit 125, at --check and at
    start alike; nothing runs."""
    crontab = write_crontab(workdir, [
        "CRON_TZ=Mars/Olympus",
        f"{EACH_SECOND} " + shell_line(svc("never", "--exit", 0)),
    ])
    run = start_grace(start, options=cron_options(crontab), check=check,
                      verbose=False)
    assert run.wait() == 125
    lines = run.stderr().splitlines()
    assert lines == [f"grace: {crontab}:2: unknown time zone Mars/Olympus: "
                     "no /usr/share/zoneinfo/Mars/Olympus"], lines
    assert run.log.of("never") == []


@pytest.mark.parametrize("text, line, problem", [
    ("61 * * * * true", 1, "minute field '61': out of 0-59"),
    ("* * * * true", 1, "bad day of week field 'true'"),
    ("* * * *", 1, "a schedule has 5 or 6 fields"),
    ("@every 10ms true", 1, "bad duration '10ms' for @every"),
    ("0 0 30 2 * true", 1, "the schedule never runs"),
    ("* * * * * date +%F", 1, "a bare '%' is cron's stdin marker"),
    ("GRACE_OVERLAP=sometimes", 1, "GRACE_OVERLAP= wants skip, allow or replace"),
    ("hello world", 1, "not a job (SCHEDULE COMMAND) nor a variable"),
])
def test_bad_crontab_line(start, workdir, text, line, problem):
    """A bad crontab line: one line on stderr naming the file and line,
    exit 125, nothing started."""
    crontab = write_crontab(workdir, [text, "* * * * * true"])
    run = start_grace(start, options=cron_options(crontab), verbose=False)
    assert run.wait() == 125
    lines = run.stderr().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"grace: {crontab}:{line}: "), lines
    assert problem in lines[0], lines


def test_busybox_crond_as_pid1_ignores_sigterm(start, workdir):
    """The same container with busybox crond as PID 1: it has no SIGTERM
    handler, so as PID 1 the kernel drops `docker stop`'s SIGTERM and the
    runtime must SIGKILL it (certain from its caught-signal mask).  grace,
    as PID 1 over the same job, catches TERM."""
    busybox = "/bin/busybox"
    tabs = workdir / "crontabs"
    tabs.mkdir()
    (tabs / "root").write_text("* * * * * true\n")
    crond = start([busybox, "crond", "-f", "-c", str(tabs)], init="none")
    pid = wait_until(lambda: _pid1_host(crond), what="crond as PID 1")
    assert not _mask_has(pid, "SigCgt", signal.SIGTERM), \
        "busybox crond catches TERM now"
    line = f"{EACH_SECOND} " + shell_line(svc("tick", "--exit", 0))
    grace = start_grace(start, options=cron_options(crons=[line]))
    # Set up once a run has started (valgrind's own mask blocks TERM from
    # the start); grace reads TERM from a signalfd: blocked, not caught.
    runs_of(grace, "tick", 1)
    assert _mask_has(grace.host_pid, "SigBlk", signal.SIGTERM)
    stop(grace)
    assert grace.wait() == 0


def _pid1_host(run):
    return run.host_pid if run.host_pid and _status(run.host_pid) else None


def _status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return f.read()
    except OSError:
        return None


def _mask_has(pid, field, sig):
    """Whether /proc/PID/status's FIELD mask (SigCgt, SigBlk) holds SIG."""
    text = _status(pid) or ""
    match = re.search(rf"^{field}:\s*([0-9a-f]+)", text, re.M)
    return bool(match) and bool(int(match.group(1), 16) >> (sig - 1) & 1)


def test_late_timer_runs_once(start, workdir):
    """A suspended machine, as grace sees it: grace stopped (SIGSTOP) for
    three due times of an every-second job, then continued.  The missed
    times lead to one run at once, not three: after the resume no two runs
    start in the same second of the clock."""
    line = f"{EACH_SECOND} " + shell_line(svc("tick", "--exit", 0))
    run = start_grace(start, options=cron_options(crons=[line]))
    runs_of(run, "tick", 1)
    os.kill(run.host_pid, signal.SIGSTOP)
    try:
        stopped_at = time.time()
        # The suspension itself: three due seconds pass.
        time.sleep(3.2)
        count = len(run.log.of("tick", "start"))
    finally:
        os.kill(run.host_pid, signal.SIGCONT)
    after = runs_of(run, "tick", count + 2)[count:]
    seconds = [int(real(s)) for s in after]
    assert len(set(seconds)) == len(seconds), \
        f"missed runs made up at once: {[s.line for s in after]}"
    assert real(after[0]) - stopped_at >= 3.0
    stop(run)
    assert run.wait() == 0


def test_no_run_starts_while_the_main_process_stops(start, workdir):
    """A stop signal while the main process takes 1.5 s over its SIGTERM
    handler: from the stop on, no run starts, though the every-second job
    has due times while the main process stops."""
    line = f"{EACH_SECOND} " + shell_line(svc("tick", "--exit", 0))
    run = start_grace(start, main=svc("main", "--term-ms", 1500),
                      options=cron_options(crons=[line]))
    runs_of(run, "tick", 1)
    stop_at = stop(run)
    assert run.wait() == 0
    term = stopped_by_grace(run, "main", after=stop_at)
    assert event(run, "main", "stopped").t - term.t >= 1.5 - TOL
    late = [s.line for s in run.log.of("tick", "start") if s.t > term.t]
    assert late == [], f"runs started during the stop: {late}"
