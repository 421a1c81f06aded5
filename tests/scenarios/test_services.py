# SPDX-License-Identifier: MIT
"""Services: `grace --services DIR [-- COMMAND...]` starts every
DIR/NAME.service in dependency order, each once the services it comes after
are ready, and the main command once every service is ready.

The svc helper (tests/helpers/svc.c) plays each service.  It logs
"readying" just before it does what makes it ready (sd_notify, a newline on
its ready fd, listening on its port, creating its file) and "ready" just
after, so "X started after Y's readying" proves that X waited for Y.

More in test_services_restart.py (restarts, back-off, giving up),
test_services_stop.py (stop order, exit codes, faults),
test_services_input.py (bad unit files) and test_services_supervisord.py."""

import grp
import os
import pwd
import shlex
import signal

import pytest

from conftest import RUNTIMES, VALGRIND
from services import (error_line, event, events, exec_line, free_port,
                      generous, parse_plan, procfile_line, start_grace,
                      stderr_lines, stop, stopped_by_grace, svc, unescape,
                      wait_reaped, wait_ready, write_unit)

# How the first service of the trio becomes ready.  Each gives the unit's
# keys and svc's options; READY_AFTER ms pass before it does.
READINESS = ("notify", "ready-fd", "tcp", "file", "exec")
READY_AFTER = 200


def readiness(kind, workdir, name):
    """(unit keys, svc options) for a service NAME that becomes ready KIND."""
    flag = workdir / f"{name}.ready"
    check = {"ReadyCheckIntervalSec": "50ms"}
    if kind == "notify":
        return {"Type": "notify"}, ["--notify", "--status", "serving"]
    if kind == "ready-fd":
        return {"ReadyFd": 3}, ["--ready-fd", 3]
    if kind == "tcp":
        port = free_port()
        return dict(check, ReadyCheck=f"tcp:127.0.0.1:{port}"), ["--listen", port]
    if kind == "file":
        return dict(check, ReadyCheck=f"file:{flag}"), ["--touch", flag]
    if kind == "exec":
        # busybox sh in the containers, dash on the host: test is built in.
        return (dict(check, ReadyCheck=f'exec:/bin/sh -c "test -e {flag}"'),
                ["--touch", flag])
    raise ValueError(kind)


def write_trio(units, workdir, kind):
    """calico-node's shape: a, then b After=a, then c After=b.  a becomes
    ready KIND, b by sd_notify, c by a file check, each READY_AFTER ms
    after it starts."""
    keys, args = readiness(kind, workdir, "a")
    write_unit(units, "a", svc("a", "--ready-after", READY_AFTER, *args), **keys)
    write_unit(units, "b", svc("b", "--ready-after", READY_AFTER, "--notify"),
               After="a", Type="notify")
    keys, args = readiness("file", workdir, "c")
    write_unit(units, "c", svc("c", "--ready-after", READY_AFTER, *args),
               After="b", **keys)


def check_waited(run, later, earlier):
    """LATER started after EARLIER began to make itself ready, and not
    long after it was."""
    start = event(run, later, "start")
    readying = event(run, earlier, "readying")
    assert start.t > readying.t, \
        f"{later} started before {earlier} was ready\n{run.log.dump()}"
    assert start.t < generous(event(run, earlier, "ready").t)


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("kind", READINESS)
def test_trio_starts_in_order_of_readiness(start, workdir, runtime, kind):
    """Each of a, b, c starts once the one before is ready, however a says
    so; the main command starts once all three are; its exit 0 stops them
    all and is grace's status."""
    units = workdir / "units"
    write_trio(units, workdir, kind)
    main = svc("main", "--exit", 0)
    run = start_grace(start, units, main=main, runtime=runtime)
    assert run.wait() == 0
    check_waited(run, "b", "a")
    check_waited(run, "c", "b")
    main_start = event(run, "main", "start")
    for name in ("a", "b", "c"):
        assert main_start.t > event(run, name, "readying").t, \
            f"main started before {name} was ready"
    init = str(run.init_pid_inside())
    main_exit = event(run, "main", "exit")
    for name in ("a", "b", "c"):
        started = event(run, name, "start")
        # grace's child, leading a process group of its own.
        assert started.fields["ppid"] == init, started.line
        assert started.fields["pgid"] == str(started.pid), started.line
        assert started.fields["sigblk"] == "0" * 16, started.line
        stopped_by_grace(run, name, after=main_exit.t)
        assert any(line.startswith(f"grace: {name}: ") for line in stderr_lines(run)), \
            f"-v said nothing about {name}"
    if kind == "notify":
        notify = event(run, "a", "start").fields["notify"]
        assert notify != "-", "Type=notify without NOTIFY_SOCKET"
    assert run.leftovers() == []


def test_independent_services_start_together(start, workdir):
    """Services that depend on nothing start at once, side by side: neither
    waits for the other to be ready; the one after both waits for both."""
    units = workdir / "units"
    for name in ("x", "y"):
        write_unit(units, name, svc(name, "--ready-after", 300, "--notify"),
                   Type="notify")
    write_unit(units, "z", svc("z"), After="x y")
    run = start_grace(start, units)
    wait_ready(run, "x", "y", "z")
    both_started = max(event(run, name, "start").t for name in ("x", "y"))
    first_ready = min(event(run, name, "readying").t for name in ("x", "y"))
    assert both_started < first_ready, "x and y did not start side by side"
    check_waited(run, "z", "x")
    check_waited(run, "z", "y")
    stop_at = stop(run)
    assert run.wait() == 0
    for name in ("x", "y", "z"):
        stopped_by_grace(run, name, after=stop_at)
    assert run.leftovers() == []


# --- --check -----------------------------------------------------------------

def write_plan_units(units):
    """a; b After=a; c After=b; x; y Requires=x Wants=a: levels a x, b y, c."""
    write_unit(units, "a", svc("a"))
    write_unit(units, "b", svc("b"), After="a")
    write_unit(units, "c", svc("c"), After="b")
    write_unit(units, "x", svc("x"), Type="notify")
    write_unit(units, "y", svc("y"), Requires="x", Wants="a")
    return {0: ["a", "x"], 1: ["b", "y"], 2: ["c"]}


@pytest.mark.parametrize("with_main", [False, True], ids=["services", "main"])
def test_check_prints_the_plan(start, workdir, with_main):
    """--check starts nothing: it prints the levels (names sorted), the main
    command if any, one line per service, and exits 0."""
    units = workdir / "units"
    levels = write_plan_units(units)
    main = svc("main", "--exit", 3) if with_main else []
    run = start_grace(start, units, main=main, check=True, verbose=False)
    assert run.wait() == 0
    got_levels, main_line, services = parse_plan(run.stdout())
    assert got_levels == levels
    if with_main:
        assert main_line is not None, run.stdout()
        assert main_line.startswith("main: " + " ".join(main)), main_line
    else:
        assert main_line is None
    assert sorted(services) == ["a", "b", "c", "x", "y"]
    assert run.stderr() == ""
    assert run.log.events() == [], "--check started something"
    assert run.leftovers() == []


def test_services_from_the_environment(start, workdir):
    """GRACE_SERVICES=DIR does what --services DIR does."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run = start_grace(start, env={"GRACE_SERVICES": str(units)})
    wait_ready(run, "web")
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "web", after=stop_at)
    assert run.leftovers() == []


# --- oneshot -----------------------------------------------------------------

def write_migration(units, code):
    """migrate, a oneshot that exits CODE after 100 ms; server after it,
    requiring it, ready once it has its signal handling in place."""
    write_unit(units, "migrate", svc("migrate", "--after", 100, "--exit", code),
               Type="oneshot")
    write_unit(units, "server", svc("server", "--notify"), Type="notify",
               After="migrate", Requires="migrate")


def test_oneshot_gates_the_server(start, workdir):
    """The server starts once the migration has run to completion.  The
    migration's success is what a oneshot is for: it does not stop the
    container (though the migration is essential), nor the server that
    Requires= it (as in systemd, a oneshot that has finished is not a
    required service that has stopped).  A stop then ends the server: 0,
    everyone clean."""
    units = workdir / "units"
    write_migration(units, 0)
    run = start_grace(start, units)
    wait_ready(run, "server")
    assert event(run, "server", "start").t > event(run, "migrate", "exit").t
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "server", after=stop_at)
    assert len(events(run, "migrate", "start")) == 1
    assert run.log.first("migrate", "term") is None
    assert run.leftovers() == []


def test_oneshot_gates_the_main_command(start, workdir):
    """The main command, too, waits for the oneshot to have finished."""
    units = workdir / "units"
    write_migration(units, 0)
    run = start_grace(start, units, main=svc("main", "--exit", 0))
    assert run.wait() == 0
    assert event(run, "main", "start").t > event(run, "migrate", "exit").t
    stopped_by_grace(run, "server", after=event(run, "main", "exit").t)
    assert run.leftovers() == []


def test_failed_oneshot_ends_the_container(start, workdir):
    """A migration that exits 3 is an essential oneshot failing: the server
    never starts and grace exits 3 on its own."""
    units = workdir / "units"
    write_migration(units, 3)
    run = start_grace(start, units, main=svc("main", "--exit", 0))
    assert run.wait() == 3
    assert event(run, "migrate", "exit").fields["code"] == "3"
    assert run.log.of("server") == [], "the server started"
    assert run.log.of("main") == [], "the main command started"
    assert run.leftovers() == []


@pytest.mark.parametrize("kind, code, reason", [
    ("missing", 127, "No such file or directory"),
    ("directory", 126, "Permission denied"),
], ids=["missing", "directory"])
def test_main_command_that_cannot_run(start, workdir, kind, code, reason):
    """A main command that cannot be run, started after the services: its
    failed exec is read from the event loop, one line says why, the
    services are stopped and grace exits as with a single command."""
    units = workdir / "units"
    write_unit(units, "server", svc("server", "--notify"), Type="notify")
    main = "/nope/not-here" if kind == "missing" else str(workdir)
    run = start_grace(start, units, main=[main, "arg"], verbose=False)
    assert run.wait() == code
    lines = run.stderr().splitlines()
    assert len(lines) == 1, lines
    assert main in lines[0] and reason in lines[0], lines
    stopped_by_grace(run, "server", after=event(run, "server", "readying").t)
    assert run.leftovers() == []


# --- Procfile and --service --------------------------------------------------

def write_procfile(workdir):
    """foreman's format: comments, a blank line, and a line that needs the
    shell (a variable assignment before the command)."""
    procfile = workdir / "Procfile"
    procfile.write_text(
        "# the app\n"
        + procfile_line("web", svc("web")) + "\n"
        + "\n"
        + "worker: MODE=fast " + shlex.join(svc("worker", "--print-env", "MODE"))
        + "\n")
    return procfile


def test_procfile_runs_and_stops(start, workdir):
    run = start_grace(start, options=["--procfile", write_procfile(workdir)])
    wait_ready(run, "web", "worker")
    assert event(run, "worker", "env").fields.get("MODE") == "fast", \
        "the Procfile line did not run through /bin/sh -c"
    stop_at = stop(run)
    assert run.wait() == 0
    for name in ("web", "worker"):
        stopped_by_grace(run, name, after=stop_at)
    assert run.leftovers() == []


def test_procfile_check(start, workdir):
    run = start_grace(start, options=["--procfile", write_procfile(workdir)],
                      check=True, verbose=False)
    assert run.wait() == 0
    levels, main, services = parse_plan(run.stdout())
    assert levels == {0: ["web", "worker"]}
    assert main is None
    assert sorted(services) == ["web", "worker"]
    assert run.log.events() == []


def oneliners():
    """Two --service options: api's command shows how it was split (a
    quoted word, a ${VAR} from the environment grace passes on)."""
    api = exec_line(svc("api", "--echo", "two words")) + " --echo ${EVENT_LOG}"
    return ["--service", f"api={api}", "--service", f"cache={exec_line(svc('cache'))}"]


def test_oneliners_run_and_stop(start, workdir):
    run = start_grace(start, options=oneliners())
    wait_ready(run, "api", "cache")
    echoed = [unescape(e.args[0]) for e in events(run, "api", "echo")]
    assert echoed == ["two words", str(run.log.path)]
    stop_at = stop(run)
    assert run.wait() == 0
    for name in ("api", "cache"):
        stopped_by_grace(run, name, after=stop_at)
    assert run.leftovers() == []


def test_all_sources_together(start, workdir):
    """Unit files, a Procfile and one-liners make one plan; a unit may come
    after a Procfile entry or a one-liner."""
    units = workdir / "units"
    write_unit(units, "late", svc("late"), After="web api")
    run = start_grace(start, units, check=True, verbose=False,
                      options=["--procfile", write_procfile(workdir), *oneliners()])
    assert run.wait() == 0, run.stderr()
    levels, _, services = parse_plan(run.stdout())
    assert levels == {0: ["api", "cache", "web", "worker"], 1: ["late"]}
    assert sorted(services) == ["api", "cache", "late", "web", "worker"]


# --- signals -----------------------------------------------------------------

def test_other_signals_go_to_every_service(start, workdir):
    """Without a main command, a signal that asks for no stop goes to every
    service's process group."""
    units = workdir / "units"
    for name in ("web", "db"):
        write_unit(units, name, svc(name))
    run = start_grace(start, units)
    wait_ready(run, "web", "db")
    run.signal(signal.SIGUSR1)
    init = str(run.init_pid_inside())
    for name in ("web", "db"):
        assert run.log.wait_for(name, "sig", "USR1").fields["from"] == init
    stop_at = stop(run)
    assert run.wait() == 0
    for name in ("web", "db"):
        stopped_by_grace(run, name, after=stop_at)


def test_other_signals_go_to_the_main_process(start, workdir):
    """With a main command, they go to it alone.  The services would have
    had SIGUSR1 long before the SIGTERM of the stop, which comes after the
    main process has gone, and a lower signal is read first anyway."""
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    run = start_grace(start, units, main=svc("main", "--term-exit", 0))
    wait_ready(run, "web", "main")
    run.signal(signal.SIGUSR1)
    usr1 = run.log.wait_for("main", "sig", "USR1")
    assert usr1.fields["from"] == str(run.init_pid_inside())
    stop(run)
    assert run.wait() == 0
    assert run.log.first("web", "sig", "USR1") is None
    stopped_by_grace(run, "web", after=event(run, "main", "stopped").t)


# --- what a service is given ------------------------------------------------

def test_service_settings(start, workdir):
    """Environment=, EnvironmentFile= (and an optional one that is
    missing), $VAR and ${VAR} in ExecStart=, WorkingDirectory=, UMask=,
    LimitNOFILE=, NoNewPrivileges=; grace's own environment is passed on."""
    units = workdir / "units"
    envfile = workdir / "conf.env"
    envfile.write_text("# settings\n\nFROM_FILE='file value'\nEXPORTED=yes\n")
    home = workdir / "home"
    home.mkdir()
    command = exec_line(svc("conf", "--print-env", "GREETING,FROM_FILE,EXPORTED,EVENT_LOG"))
    # valgrind refuses a child's change of its hard descriptor limit, so
    # LimitNOFILE= is not checked with grace under it.
    limits = {} if VALGRIND else {"LimitNOFILE": 512}
    write_unit(units, "conf", command + " --echo ${GREETING} --echo $PLAIN",
               Environment='"GREETING=hello world" PLAIN=one',
               EnvironmentFile=envfile,
               WorkingDirectory=home, UMask="0027", NoNewPrivileges=True,
               extra=["EnvironmentFile=-/nonexistent/grace-scenario.env"],
               **limits)
    run = start_grace(start, units)
    started = wait_ready(run, "conf")["conf"]
    assert unescape(started.fields["cwd"]) == str(home)
    assert started.fields["umask"] == "0027"
    if not VALGRIND:
        assert started.fields["nofile"] == "512:512"
    assert started.fields["nnp"] == "1"
    env = {}
    for e in events(run, "conf", "env"):
        env.update({key: unescape(value) for key, value in e.fields.items()})
    assert env == {"GREETING": "hello world", "FROM_FILE": "file value",
                   "EXPORTED": "yes", "EVENT_LOG": str(run.log.path)}
    echoed = [unescape(e.args[0]) for e in events(run, "conf", "echo")]
    assert echoed == ["hello world", "one"]
    stop(run)
    assert run.wait() == 0


def test_user_and_group(start, workdir):
    """As root in the bare namespace, User=nobody runs the service as
    nobody with nobody's group and none of root's; Group= overrides the
    group."""
    if os.getuid() != 0:
        pytest.skip("User= needs grace to run as root")
    nobody = pwd.getpwnam("nobody")
    try:
        daemon_group = grp.getgrnam("daemon")
    except KeyError:
        pytest.skip("no group daemon here")
    units = workdir / "units"
    write_unit(units, "low", svc("low"), User="nobody")
    write_unit(units, "grouped", svc("grouped"), User="nobody", Group="daemon")
    run = start_grace(start, units)
    started = wait_ready(run, "low", "grouped")
    assert started["low"].fields["uid"] == str(nobody.pw_uid)
    assert started["low"].fields["gid"] == str(nobody.pw_gid)
    assert "0" not in started["low"].fields["groups"].split(","), started["low"].line
    assert started["grouped"].fields["uid"] == str(nobody.pw_uid)
    assert started["grouped"].fields["gid"] == str(daemon_group.gr_gid)
    stop(run)
    assert run.wait() == 0
    assert run.leftovers() == []


@pytest.mark.parametrize("check", [True, False], ids=["check", "run"])
def test_user_needs_privileges(start, workdir, check):
    """grace as nobody cannot run a service as another user: that is found
    when the plan is checked, before anything starts (exit 125, one line
    naming the User= line)."""
    try:
        pwd.getpwnam("daemon")
    except KeyError:
        pytest.skip("no user daemon here")
    units = workdir / "units"
    write_unit(units, "web", svc("web"))
    unit = write_unit(units, "other", svc("other"), User="daemon")
    run = start_grace(start, units, main=svc("main", "--exit", 0), check=check,
                      verbose=False, user="nobody")
    assert run.wait() == 125
    path, line, _ = error_line(run)
    assert (path, line) == (str(unit.path), unit.line("User"))
    assert run.log.events() == [], "something started"
    assert run.leftovers() == []


# --- Requires= and Wants= ---------------------------------------------------

def test_requires_stops_the_dependent(start, workdir):
    """db ends for good (exits 0, not restarted, not essential): api, which
    requires it, is stopped too; the container runs on (anchor gets its
    SIGTERM only from the stop)."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--after", 200, "--exit", 0), Essential=False)
    write_unit(units, "api", svc("api"), Requires="db", Essential=False)
    write_unit(units, "anchor", svc("anchor"))
    run = start_grace(start, units)
    wait_ready(run, "db", "api", "anchor")
    db_exit = run.log.wait_for("db", "exit")
    term = run.log.wait_for("api", "term")
    assert term.t > db_exit.t
    assert term.fields["from"] == str(run.init_pid_inside())
    run.log.wait_for("api", "exit")
    stop_at = stop(run)
    assert run.wait() == 0
    stopped_by_grace(run, "anchor", after=stop_at)
    assert run.leftovers() == []


def test_wants_orders_but_does_not_stop(start, workdir):
    """Wants= orders like After=; when the wanted service ends, the one
    that wants it runs on."""
    units = workdir / "units"
    write_unit(units, "db", svc("db", "--ready-after", 200, "--notify",
                                "--after", 300, "--exit", 0),
               Type="notify", Essential=False)
    write_unit(units, "api", svc("api"), Wants="db")
    run = start_grace(start, units)
    wait_ready(run, "db", "api")
    check_waited(run, "api", "db")
    wait_reaped(run, run.log.wait_for("db", "exit").pid)
    # grace has acted on db's end; api's next event is the USR1, not a stop.
    run.signal(signal.SIGUSR1)
    usr1 = run.log.wait_for("api", "sig", "USR1")
    assert run.log.first("api", "term") is None
    stop_at = stop(run)
    assert run.wait() == 0
    assert stopped_by_grace(run, "api", after=stop_at).t > usr1.t
    assert run.leftovers() == []
