# SPDX-License-Identifier: MIT
"""gracectl reload (and SIGHUP with --reload-on-hup): grace reads its unit
files and crontab again and checks them as --check does.  A broken one
changes nothing: the reply says "reload refused, nothing changed:
FILE:LINE: ..." and every service runs on with its pid.  Otherwise a
service whose unit is the same runs on untouched (a comment or a new
Description= is no change); a changed one is stopped with its new
KillSignal and started again with its new command, environment and
settings, while its dependents run on; an added one starts once its
dependencies allow; a removed one is stopped, its end ending nothing, and
gone from status.  Jobs the same way: an unchanged one keeps its runs, a
changed one is planned again, a removed one's run is stopped.

grace runs with --control at a socket of the test's own and gracectl
where the run's processes are (test_gracectl_control's `controlled` and
`Ctl`), so that the pids it shows are those the svc helper logs.  Units
are rewritten between two reloads; what each process lived through comes
from the event log, waits are bounded by deadlines."""

import calendar
import shlex
import signal
import time

import pytest

import test_gracectl_control as control
from conftest import PLACES, SLOW, TIMEOUT, wait_until
from services import (TOL, event, events, generous, stderr_lines, stop,
                      stopped_by_grace, svc, unescape, wait_count, wait_reaped,
                      wait_ready, write_unit)
from test_gracectl_control import MODES, by_name, parse_table

# test_gracectl_control's fixture: grace over the services of a directory
# with --control at a socket of the test's own (gracectl is conftest's).
controlled = control.controlled

# Signals a test does not count: see signals().
NOISE = {"URG"}

# How long a service told so takes over its stop: long enough that a
# status asked at once sees it still stopping, short enough to wait for.
STOP_MS = int(300 * SLOW)


def summary(services=(0, 0, 0, 0), jobs=(0, 0, 0, 0)):
    """The line of a reload that went through, for SERVICES and JOBS each
    counted as (added, changed, removed, unchanged)."""
    def part(kind, counts):
        added, changed, removed, kept = counts
        return (f"{kind} {added} added, {changed} changed, {removed} removed, "
                f"{kept} unchanged")
    return f"reloaded: {part('services', services)}; {part('jobs', jobs)}"


def reload_ok(run, ctl, services=(0, 0, 0, 0), jobs=(0, 0, 0, 0)):
    """`gracectl reload`, which must exit 0 with the summary of SERVICES
    and JOBS on stdout alone, a line grace logs too; returns a time before
    which grace had certainly not reloaded."""
    line = summary(services, jobs)
    before = time.monotonic()
    assert ctl.ok("reload") == line + "\n"
    wait_until(lambda: f"grace: {line}" in stderr_lines(run),
               what="grace's line of the reload")
    return before


def service_names(ctl):
    """The services `status` shows, in its JSON and in its table (which
    must agree)."""
    names = set(by_name(ctl.status()["services"]))
    table = {name for name, row in parse_table(ctl.ok("status")).items()
             if row["kind"] == "service"}
    assert names == table, (names, table)
    return names


def signals(run, name, pid=None):
    """The "sig" events of NAME (of process PID when given), less the
    SIGURG runc sends: it passes on to the container's init the SIGURG its
    own Go runtime gets, and grace forwards that to the services."""
    return [e for e in events(run, name, "sig") if e.args[0] not in NOISE
            and (pid is None or e.pid == pid)]


def untouched(run, name, pid):
    """NAME started once, as PID, and got no signal at all."""
    assert [e.pid for e in events(run, name, "start")] == [pid], \
        f"{name} started again\n{run.log.dump()}"
    assert signals(run, name) == [], f"{name} got a signal\n{run.log.dump()}"


def untouched_in_status(ctl, pids):
    """Every service of PIDS running, with its pid, as status shows it."""
    services = by_name(ctl.status()["services"])
    for name, pid in pids.items():
        assert (services[name]["state"], services[name]["pid"]) == \
            ("running", pid), services[name]


def of_pid(run, name, kind, pid):
    """The events KIND of NAME logged by process PID."""
    return [e for e in events(run, name, kind) if e.pid == pid]


def logged_env(run, name, pid):
    """The variables process PID of NAME logged with --print-env."""
    env = {}
    for e in of_pid(run, name, "env", pid):
        env.update({key: unescape(value) for key, value in e.fields.items()})
    return env


def stopped(run, name, after=None):
    """Waits for NAME's stop signal, which must come from grace (after
    time AFTER when given); returns its term event."""
    run.log.wait_for(name, "term")
    return stopped_by_grace(run, name, after=after)


def restarted(run, name, old, sig="TERM"):
    """NAME, started as OLD (its start event), got SIG from grace first,
    ended, and was started again after its end, by grace; returns the new
    start."""
    init = str(run.init_pid_inside())
    got = run.log.wait_for(name, "term")
    assert got.pid == old.pid and got.fields["from"] == init, got.line
    got_sigs = [e.args[0] for e in signals(run, name, old.pid)]
    assert got_sigs[:1] == [sig], f"{name} got {got_sigs}, want {sig} first"
    ended = run.log.wait_for(name, "exit")
    assert ended.pid == old.pid, ended.line
    new = wait_count(run, name, "start", 2)[1]
    assert new.pid != old.pid and new.t > ended.t, \
        f"the new {name} started before the old one ended\n{run.log.dump()}"
    assert new.fields["ppid"] == init, new.line
    return new


# --- the services ---------------------------------------------------------------

@pytest.mark.parametrize("mode, runtime", PLACES)
def test_reload_adds_removes_and_changes(controlled, workdir, mode, runtime):
    """One reload over four services: keep gets a comment and a new
    Description=, which is no change, and runs on with its pid, no signal
    at all; change gets a new command, Environment= and KillSignal=SIGINT:
    its process gets SIGINT (the new KillSignal, not the old SIGTERM) from
    grace, ends, and a new one starts with the new argv and environment;
    added starts (after keep, which it requires); gone, removed (and
    essential), gets its stop signal, takes its 300 ms and ends, and the
    container goes on.  The reply, and grace's log, count 1 of each;
    status shows keep, change and added only from the reply on (gone not,
    though it may still be stopping).  A stop afterwards ends grace with
    0."""
    units = workdir / "units"
    keep_unit = write_unit(units, "keep", svc("keep"))
    write_unit(units, "change", svc("change", "--term-on", "INT",
                                    "--print-env", "FLAVOUR"),
               Environment="FLAVOUR=old")
    write_unit(units, "gone", svc("gone", "--term-ms", STOP_MS))
    run, ctl = controlled(units, mode=mode, runtime=runtime)
    started = wait_ready(run, "keep", "change", "gone")
    assert logged_env(run, "change", started["change"].pid) == {"FLAVOUR": "old"}

    text = keep_unit.path.read_text()
    assert "Description=keep, played by svc\n" in text
    keep_unit.path.write_text(
        "# Reviewed: no change.\n" + text.replace(
            "Description=keep, played by svc", "Description=the keeper"))
    write_unit(units, "change", svc("change", "--term-on", "INT",
                                    "--print-env", "FLAVOUR", "--echo", "new"),
               Environment="FLAVOUR=new", KillSignal="SIGINT")
    write_unit(units, "added", svc("added"), After="keep", Requires="keep")
    (units / "gone.service").unlink()
    reloaded_at = reload_ok(run, ctl, services=(1, 1, 1, 1))
    assert service_names(ctl) == {"keep", "change", "added"}

    new = restarted(run, "change", started["change"], sig="INT")
    assert wait_count(run, "change", "ready", 2)[1].pid == new.pid
    assert signals(run, "change", started["change"].pid)[0].t > reloaded_at
    assert [unescape(e.args[0]) for e in of_pid(run, "change", "echo", new.pid)] \
        == ["new"]
    assert logged_env(run, "change", new.pid) == {"FLAVOUR": "new"}
    assert run.log.of("change", "sig", "TERM") == [], \
        "change was stopped with its old KillSignal"

    added = run.log.wait_for("added", "ready")
    assert added.t > reloaded_at
    assert event(run, "added", "start").fields["ppid"] == \
        str(run.init_pid_inside())

    stopped(run, "gone", after=reloaded_at)
    ended = run.log.wait_for("gone", "exit")
    assert ended.t - event(run, "gone", "term").t >= STOP_MS / 1000 - TOL
    wait_reaped(run, started["gone"].pid)
    wait_until(lambda: (row := ctl.service("change"))["pid"] == new.pid
               and row["state"] == "running", what="the new change running")
    assert run.running(), "the removed essential service ended the container"
    assert service_names(ctl) == {"keep", "change", "added"}
    untouched(run, "keep", started["keep"].pid)
    untouched_in_status(ctl, {"keep": started["keep"].pid,
                              "added": event(run, "added", "start").pid})
    assert len(events(run, "gone", "start")) == 1

    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


def keep_description(unit, envfile):
    """A new Description=: documentation, no change."""
    unit.path.write_text(unit.path.read_text().replace(
        "Description=web, played by svc", "Description=the web front"))


def keep_comment(unit, envfile):
    """Comments and blank lines added: no change."""
    unit.path.write_text("# Edited by hand.\n\n" +
                         unit.path.read_text().replace(
                             "[Service]\n", "[Service]\n; tuned\n"))


def keep_rewritten(unit, envfile):
    """The same text written again: no change."""
    unit.path.write_text(unit.path.read_text())


def change_command(unit, envfile):
    unit.path.write_text(unit.path.read_text().replace(
        "--print-env", "--echo new --print-env"))


def change_environment(unit, envfile):
    unit.path.write_text(unit.path.read_text().replace(
        "Environment=FLAVOUR=old", "Environment=FLAVOUR=new"))


def change_environment_file(unit, envfile):
    """The unit's text the same: the file it names is what changed."""
    envfile.write_text("FROM_FILE=new\n")


def change_setting(unit, envfile):
    unit.path.write_text(unit.path.read_text().replace(
        "RestartSec=1s", "RestartSec=2s"))


# Each edit of web's unit (or of its EnvironmentFile=), and what it
# changes in the new web's --print-env (None: no change, web runs on).
EDITS = {
    "description": (keep_description, None),
    "comment": (keep_comment, None),
    "rewritten": (keep_rewritten, None),
    "command": (change_command, {}),
    "environment": (change_environment, {"FLAVOUR": "new"}),
    "environment-file": (change_environment_file, {"FROM_FILE": "new"}),
    "setting": (change_setting, {}),
}


@pytest.mark.parametrize("edit, changes", EDITS.values(), ids=EDITS.keys())
def test_what_is_a_change(controlled, workdir, edit, changes):
    """One edit of web's unit (or of the EnvironmentFile= it names), then
    a reload.  A new Description=, comments, the same text written again:
    unchanged, web runs on with its pid and no signal.  A new command,
    Environment=, EnvironmentFile= contents or RestartSec=: changed, web
    gets its stop signal from grace and a new web starts, with what the
    edit changed in its environment; a new command shows in its argv."""
    units = workdir / "units"
    envfile = workdir / "web.env"
    envfile.write_text("FROM_FILE=old\n")
    unit = write_unit(units, "web", svc("web", "--print-env",
                                        "FLAVOUR,FROM_FILE"),
                      Environment="FLAVOUR=old", EnvironmentFile=envfile,
                      RestartSec="1s")
    run, ctl = controlled(units)
    old = wait_ready(run, "web")["web"]
    before = {"FLAVOUR": "old", "FROM_FILE": "old"}
    assert logged_env(run, "web", old.pid) == before
    edit(unit, envfile)
    if changes is None:
        reload_ok(run, ctl, services=(0, 0, 0, 1))
        untouched(run, "web", old.pid)
        untouched_in_status(ctl, {"web": old.pid})
    else:
        reload_ok(run, ctl, services=(0, 1, 0, 0))
        new = restarted(run, "web", old)
        wait_until(lambda: logged_env(run, "web", new.pid).keys()
                   == before.keys(), what="the new web's environment")
        assert logged_env(run, "web", new.pid) == dict(before, **changes)
        echoed = [e.args[0] for e in of_pid(run, "web", "echo", new.pid)]
        assert echoed == (["new"] if edit is change_command else [])
        wait_until(lambda: ctl.service("web")["pid"] == new.pid,
                   what="status showing the new web")
    stop(run)
    assert run.wait() == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_changed_requirement_restarts_alone(controlled, workdir, mode):
    """db (Type=notify, 300 ms to stop) gets a new command; web, which
    Requires= it, and worker, After= it, are unchanged.  db is stopped
    and started again; web and worker run on with their pids and get no
    signal.  api, added by the same reload with Requires=db and After=db,
    starts only once the new db is ready."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--notify", "--term-ms", STOP_MS),
               Type="notify")
    write_unit(units, "web", svc("web"), Requires="db", After="db")
    write_unit(units, "worker", svc("worker"), After="db")
    run, ctl = controlled(units, mode=mode)
    started = wait_ready(run, "db", "web", "worker")
    write_unit(units, "db", svc("db", "--notify", "--term-ms", STOP_MS,
                                "--ready-after", 200), Type="notify")
    write_unit(units, "api", svc("api"), Requires="db", After="db")
    reload_ok(run, ctl, services=(1, 1, 0, 2))
    new = restarted(run, "db", started["db"])
    # svc logs "readying" just before its READY=1, "ready" just after.
    readying = wait_count(run, "db", "readying", 2)[1]
    assert readying.pid == new.pid
    api = run.log.wait_for("api", "start")
    assert api.t > readying.t, "api started before the new db was ready"
    wait_until(lambda: ctl.service("db")["ready"] and
               ctl.service("db")["pid"] == new.pid, what="the new db ready")
    pids = {name: started[name].pid for name in ("web", "worker")}
    for name, pid in pids.items():
        untouched(run, name, pid)
    untouched_in_status(ctl, pids)
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_removing_a_requirement(controlled, workdir, mode):
    """db is removed, and web, which Requires= it, loses its Requires= in
    the same reload: db is stopped and gone from status; web is restarted
    once for its own change, and runs on (db's end, which would stop a
    dependent, does not stop it for good).  The container goes on."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--term-ms", STOP_MS))
    write_unit(units, "web", svc("web"), Requires="db", After="db")
    run, ctl = controlled(units, mode=mode)
    started = wait_ready(run, "db", "web")
    (units / "db.service").unlink()
    write_unit(units, "web", svc("web"))
    reloaded_at = reload_ok(run, ctl, services=(0, 1, 1, 0))
    assert service_names(ctl) == {"web"}
    stopped(run, "db", after=reloaded_at)
    run.log.wait_for("db", "exit")
    wait_reaped(run, started["db"].pid)
    new = restarted(run, "web", started["web"])
    # The new web well after db's end: not stopped for its requirement.
    row = wait_until(lambda: (row := ctl.service("web"))["pid"] == new.pid
                     and row, what="the new web in status")
    assert row["state"] == "running", row
    assert signals(run, "web", new.pid) == []
    assert len(events(run, "web", "start")) == 2
    assert run.running() and service_names(ctl) == {"web"}
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_removed_service_that_will_not_stop(controlled, workdir, mode):
    """A removed service that takes its KillSignal (SIGINT) and stays:
    SIGKILL ends it TimeoutStopSec=300ms later, not sooner; it is gone
    from status and the container goes on.  Its end is none of the plan
    in force's business: a stop afterwards, web ending cleanly, ends
    grace with 0."""
    units = workdir / "units"
    write_unit(units, "stubborn", svc("stubborn", "--term-on", "INT",
                                      "--ignore-term"),
               KillSignal="SIGINT", TimeoutStopSec="300ms")
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, mode=mode)
    started = wait_ready(run, "stubborn", "web")
    (units / "stubborn.service").unlink()
    reload_ok(run, ctl, services=(0, 0, 1, 1))
    term = stopped(run, "stubborn")
    got = [e.args[0] for e in signals(run, "stubborn")]
    assert got[0] == "INT" and "TERM" not in got, got
    wait_reaped(run, started["stubborn"].pid)
    gone_at = time.monotonic()
    assert gone_at - term.t >= 0.3 - TOL, "killed before TimeoutStopSec="
    assert run.log.first("stubborn", "exit") is None, "it ended on its own"
    assert run.running() and service_names(ctl) == {"web"}
    untouched(run, "web", started["web"].pid)
    stop(run)
    assert run.wait() == 0, \
        "the killed service, removed, still decides grace's exit status"
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_reload_adds_the_first_notify_service(controlled, workdir, mode):
    """No service of Type=notify at the start, so no notify socket; a
    reload adds one: grace gives it a NOTIFY_SOCKET, and its READY=1
    (sent 200 ms after its start) makes it ready in status."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, mode=mode)
    web = wait_ready(run, "web")["web"]
    write_unit(units, "late", svc("late", "--notify", "--ready-after", 200),
               Type="notify")
    reload_ok(run, ctl, services=(1, 0, 0, 1))
    late = run.log.wait_for("late", "start")
    assert late.fields["notify"] != "-", late.line
    wait_until(lambda: ctl.service("late")["ready"], what="late ready")
    assert run.log.first("late", "readying") is not None, \
        "late ready in status before it sent READY=1"
    assert run.log.first("late", "error") is None, run.log.dump()
    untouched(run, "web", web.pid)
    stop(run)
    assert run.wait() == 0


def test_reload_drops_a_ready_fd(controlled, workdir):
    """web becomes ready through ReadyFd=3; a reload drops ReadyFd= (and
    the flag that writes to it): web is restarted without descriptor 3
    and is running again, as its new unit says."""
    units = workdir / "units"
    write_unit(units, "web", svc("web", "--ready-fd", 3), ReadyFd=3)
    run, ctl = controlled(units)
    old = wait_ready(run, "web")["web"]
    write_unit(units, "web", svc("web"))
    reload_ok(run, ctl, services=(0, 1, 0, 0))
    restarted(run, "web", old)
    wait_count(run, "web", "ready", 2)
    wait_until(lambda: ctl.service("web")["state"] == "running",
               what="web running again")
    assert run.log.first("web", "error") is None, run.log.dump()
    stop(run)
    assert run.wait() == 0


# --- a broken file -------------------------------------------------------------

# The set the refusals start from: db, web (Requires=db, After=db) and a
# crontab with one job.  Each case breaks it, and returns the files at
# fault with the lines each may be named at, and the words the problem
# must name.

def unknown_key(units, crontab, workdir):
    """A line grace does not know, added to web."""
    path = units / "web.service"
    text = path.read_text() + "Bogus=1\n"
    path.write_text(text)
    return {str(path): {len(text.splitlines())}}, ["Bogus"]


def cycle(units, crontab, workdir):
    """db After=web, while web is After=db: either may be named."""
    db = write_unit(units, "db", svc("db"), After="web")
    web = units / "web.service"
    web_line = web.read_text().splitlines().index("After=db") + 1
    return {str(db.path): {db.line("After")}, str(web): {web_line}}, []


def missing_requires(units, crontab, workdir):
    web = write_unit(units, "web", svc("web"), Requires="nosuch", After="db")
    return {str(web.path): {web.line("Requires")}}, ["nosuch"]


def removed_requirement(units, crontab, workdir):
    """db.service deleted while web still Requires= (and After=) it:
    either line may be named."""
    (units / "db.service").unlink()
    web = units / "web.service"
    lines = web.read_text().splitlines()
    return {str(web): {lines.index("Requires=db") + 1,
                       lines.index("After=db") + 1}}, ["db"]


def bad_signal(units, crontab, workdir):
    db = write_unit(units, "db", svc("db"), KillSignal="SIGFOO")
    return {str(db.path): {db.line("KillSignal")}}, []


def missing_environment_file(units, crontab, workdir):
    db = write_unit(units, "db", svc("db"),
                    EnvironmentFile=workdir / "no-such.env")
    return {str(db.path): {db.line("EnvironmentFile")}}, ["no-such.env"]


def bad_new_unit(units, crontab, workdir):
    """A new unit beside the good ones, with a bad Type=."""
    new = write_unit(units, "new", svc("new"), Type="sometimes")
    return {str(new.path): {new.line("Type")}}, []


def bad_crontab_line(units, crontab, workdir):
    """A crontab line whose minute is 61."""
    text = crontab.read_text() + "61 * * * * true\n"
    crontab.write_text(text)
    return {str(crontab): {len(text.splitlines())}}, []


BROKEN = {
    "unknown-key": unknown_key,
    "cycle": cycle,
    "missing-requires": missing_requires,
    "removed-requirement": removed_requirement,
    "bad-signal": bad_signal,
    "missing-environment-file": missing_environment_file,
    "bad-new-unit": bad_new_unit,
    "bad-crontab-line": bad_crontab_line,
}


def snapshot(*paths):
    """The files under PATHS (files or directories) and their texts."""
    found = {}
    for path in paths:
        for file in ([path] if path.is_file() else sorted(path.iterdir())):
            found[file] = file.read_text()
    return found


def restore(saved, units):
    """Puts back the files SAVED, and removes those added to UNITS since."""
    for path in units.iterdir():
        if path not in saved:
            path.unlink()
    for path, text in saved.items():
        path.write_text(text)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_changes_nothing(controlled, workdir, mode, case):
    """A reload of a set with a fault in it (a line grace does not know, a
    cycle, a Requires= of no unit or of a unit deleted, a bad KillSignal=,
    a missing EnvironmentFile=, a bad new unit, a bad crontab line): 1,
    nothing on stdout, "gracectl: reload refused, nothing changed:
    FILE:LINE: problem" naming the file and line at fault on stderr, and
    the same line in grace's log.  Nothing changed: every service runs on
    with its pid and no signal, the new unit never starts, the job keeps
    its next run, and once the files are put back a reload finds
    everything unchanged."""
    units = workdir / "units"
    write_unit(units, "db", svc("db"))
    write_unit(units, "web", svc("web"), Requires="db", After="db")
    crontab = workdir / "crontab"
    crontab.write_text("CRON_TZ=UTC\n# name: nightly\n0 0 1 1 * exec "
                       + shlex.join(svc("nightly")) + "\n")
    run, ctl = controlled(units, mode=mode, options=["--crontab", crontab])
    started = wait_ready(run, "db", "web")
    pids = {name: started[name].pid for name in ("db", "web")}
    job = ctl.job("nightly")
    saved = snapshot(units, crontab)

    where, names = case(units, crontab, workdir)
    done = ctl("reload")
    assert (done.returncode, done.stdout) == (1, ""), done
    prefix = "gracectl: reload refused, nothing changed: "
    assert done.stderr.startswith(prefix) and done.stderr.count("\n") == 1, \
        done.stderr
    path, line, problem = done.stderr[len(prefix):-1].split(":", 2)
    assert path in where, f"{path} is not the file at fault, {list(where)}"
    assert int(line) in where[path], f"line {line} of {path}, want {where[path]}"
    for name in names:
        assert name in problem, f"{name!r} not named in {problem!r}"
    wait_until(lambda: "grace: " + done.stderr[len("gracectl: "):-1]
               in stderr_lines(run), what="grace's line of the refusal")

    assert service_names(ctl) == {"db", "web"}
    untouched_in_status(ctl, pids)
    assert ctl.job("nightly")["next_run_ms"] == job["next_run_ms"]
    restore(saved, units)
    reload_ok(run, ctl, services=(0, 0, 0, 2), jobs=(0, 0, 0, 1))
    for name, pid in pids.items():
        untouched(run, name, pid)
    assert run.log.first("new", "start") is None
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


# --- SIGHUP --------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_hup_reloads_with_reload_on_hup(controlled, workdir, mode):
    """--reload-on-hup: SIGHUP to grace reloads, as gracectl reload does
    (web, changed, is restarted with its new command; grace logs the
    summary), and goes to no one: neither the main process nor web gets
    it."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, main=svc("main"), mode=mode,
                          options=["--reload-on-hup"])
    started = wait_ready(run, "web", "main")
    write_unit(units, "web", svc("web", "--echo", "new"))
    run.signal(signal.SIGHUP)
    new = restarted(run, "web", started["web"])
    assert [e.args[0] for e in of_pid(run, "web", "echo", new.pid)] == ["new"]
    line = "grace: " + summary(services=(0, 1, 0, 0))
    wait_until(lambda: line in stderr_lines(run), what="grace's reload line")
    assert signals(run, "main") == [], "SIGHUP went on to main"
    assert run.log.of("web", "sig", "HUP") == [], "SIGHUP went on to web"
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_hup_goes_to_the_main_process_without_reload_on_hup(controlled,
                                                            workdir, mode):
    """Without --reload-on-hup, SIGHUP to grace is passed on to the main
    process, as before, and reloads nothing: web, whose unit changed,
    runs on, and a gracectl reload afterwards still finds the change."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run, ctl = controlled(units, main=svc("main"), mode=mode)
    started = wait_ready(run, "web", "main")
    write_unit(units, "web", svc("web", "--echo", "new"))
    run.signal(signal.SIGHUP)
    hup = run.log.wait_for("main", "sig", "HUP")
    assert hup.fields["from"] == str(run.init_pid_inside()), hup.line
    assert not any("reloaded" in line for line in stderr_lines(run))
    untouched(run, "web", started["web"].pid)
    reload_ok(run, ctl, services=(0, 1, 0, 0))
    restarted(run, "web", started["web"])
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


# --- jobs ----------------------------------------------------------------------

def next_first_of_ms(now_ms, month):
    """The next first of MONTH, 00:00 UTC, after NOW_MS, in ms."""
    year = time.gmtime(now_ms / 1000).tm_year
    for candidate in (year, year + 1):
        at = calendar.timegm((candidate, month, 1, 0, 0, 0)) * 1000
        if at > now_ms:
            return at
    raise AssertionError("unreachable")


def crontab_text(jobs):
    """A crontab, in UTC, of JOBS: (name, schedule, svc arguments) each,
    named with "# name:" and played by svc."""
    lines = ["CRON_TZ=UTC"]
    for name, schedule, args in jobs:
        lines += [f"# name: {name}",
                  f"{schedule} exec {shlex.join(svc(name, *args))}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("mode", MODES)
def test_reload_changes_jobs(controlled, workdir, mode):
    """A crontab of three jobs, due on 1 January, each with a run going on
    (gracectl run): keep's unchanged, nightly's moved to 1 July (its run,
    due to end 1 s after its start, goes on), gone removed, fresh added.
    status --json shows nightly's next run on 1 July, fresh planned, gone
    no more; keep keeps its run (runs 1) and its next run.  gone's run
    gets its stop signal from grace; keep's and nightly's none, and
    nightly's ends on its own."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    crontab = workdir / "crontab"
    run_ms = int(1000 * SLOW)
    crontab.write_text(crontab_text([
        ("keep", "0 0 1 1 *", []),
        ("nightly", "0 0 1 1 *", ["--after", run_ms, "--exit", 0]),
        ("gone", "0 0 1 1 *", []),
    ]))
    run, ctl = controlled(units, mode=mode, options=["--crontab", crontab])
    wait_ready(run, "web")
    for name in ("keep", "nightly", "gone"):
        assert "started" in ctl.ok("run", name)
    runs = {name: run.log.wait_for(name, "start") for name in
            ("keep", "nightly", "gone")}
    before = by_name(ctl.status()["jobs"])

    crontab.write_text(crontab_text([
        ("keep", "0 0 1 1 *", []),
        ("nightly", "0 0 1 7 *", ["--after", run_ms, "--exit", 0]),
        ("fresh", "0 0 1 1 *", []),
    ]))
    reload_ok(run, ctl, services=(0, 0, 0, 1), jobs=(1, 1, 1, 1))
    status = ctl.status()
    jobs = by_name(status["jobs"])
    assert set(jobs) == {"keep", "nightly", "fresh"}, jobs
    assert jobs["nightly"]["next_run_ms"] == \
        next_first_of_ms(status["now_ms"], 7), jobs["nightly"]
    assert jobs["nightly"]["next_run_ms"] != before["nightly"]["next_run_ms"]
    assert jobs["fresh"]["next_run_ms"] == \
        next_first_of_ms(status["now_ms"], 1), jobs["fresh"]
    assert jobs["fresh"]["runs"] == 0 and jobs["fresh"]["state"] == "idle"
    keep = jobs["keep"]
    assert (keep["state"], keep["running"], keep["pid"], keep["runs"]) == \
        ("running", 1, runs["keep"].pid, 1), keep
    assert keep["next_run_ms"] == before["keep"]["next_run_ms"]
    table = parse_table(ctl.ok("status"))
    assert "gone" not in table, table
    assert table["nightly"]["next"].endswith("-07-01T00:00:00Z)"), table

    stopped(run, "gone")
    wait_reaped(run, runs["gone"].pid)
    ended = run.log.wait_for("nightly", "exit")
    assert ended.fields["code"] == "0"
    assert ended.t - runs["nightly"].t >= run_ms / 1000 - TOL
    assert ended.t - runs["nightly"].t < generous(run_ms / 1000)
    for name in ("keep", "nightly"):
        assert signals(run, name) == [], f"{name}'s run got a signal"
    assert "gone" not in by_name(ctl.status()["jobs"])
    assert run.running()
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


# --- while grace stops ----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_reload_while_stopping_is_refused(controlled, workdir, mode):
    """Once grace is stopping (slow takes a second over its stop signal),
    gracectl reload is 1, "reload refused: grace is stopping", and the
    unit added meanwhile never starts; the stop goes on and ends grace
    with 0."""
    units = workdir / "units"
    write_unit(units, "slow", svc("slow", "--term-ms", int(1000 * SLOW)))
    run, ctl = controlled(units, mode=mode)
    wait_ready(run, "slow")
    write_unit(units, "added", svc("added"))
    stop_at = stop(run)
    stopped(run, "slow", after=stop_at)
    done = ctl("reload")
    assert run.log.first("slow", "stopped") is None, \
        "the stop was over before the reload was asked"
    assert (done.returncode, done.stdout, done.stderr) == \
        (1, "", "gracectl: reload refused: grace is stopping\n"), done
    assert run.wait(timeout=TIMEOUT + 1.0 * SLOW) == 0
    assert run.log.first("added", "start") is None
    assert run.leftovers() == []
