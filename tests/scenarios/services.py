# SPDX-License-Identifier: MIT
"""What the services scenarios (test_services*.py) share: unit files
written from keyword arguments, grace's command line over them, the svc
helper's command line (tests/helpers/svc.c) and readers of its events.

Every timing is read from the events' t= (CLOCK_MONOTONIC, the clock of
time.monotonic()); waits are bounded by deadlines and never pace a test."""

import os
import re
import shlex
import signal
import socket
import time
from pathlib import Path

from conftest import GRACE, SLOW, TIMEOUT, helper, proc_stat, wait_until

# Slack for comparing a delay grace keeps with the events around it, when
# the events bound it from the right side (an "exit" is logged just before
# the process ends, a "start" just after it began): only rounding.
TOL = 0.005
# Slack when they may not: grace's timer starts when it forks or signals,
# and the service logs "start" or "term" a little after, later still on a
# busy machine.
SLACK = 0.05

# The keys that belong in [Unit]; every other one goes to [Service].
UNIT_KEYS = ("Description", "After", "Requires", "Wants")


class Unit:
    """A unit file written by write_unit(): its path, and where each key
    went (the line numbers grace's errors must name)."""

    def __init__(self, path, lines):
        self.path = path
        self.lines = lines

    def line(self, key):
        """The line of the first KEY= of the file."""
        return self.lines[key][0]

    def __str__(self):
        return str(self.path)


def unit_value(value):
    """A Python value as a unit file writes it: yes/no, a list as words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, (list, tuple)):
        return " ".join(map(str, value))
    return str(value)


def quote_word(word):
    """One word of a command line as systemd splits ExecStart=: bare when
    it can be, else in double quotes; '$' and '%' are doubled so that they
    stay themselves."""
    word = str(word).replace("$", "$$").replace("%", "%%")
    if word and not re.search(r"[\s\"'\\;]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_line(argv):
    """ARGV as an ExecStart= value (or a --service command)."""
    return " ".join(quote_word(word) for word in argv)


def write_unit(units, name, exec_start, *, extra=(), **keys):
    """Writes UNITS/NAME.service and returns its Unit.

    EXEC_START is an argv (quoted as systemd splits it) or a string written
    as it is ($VAR stays a variable), None for no ExecStart= at all.  KEYS
    are the unit's keys, written by unit_value() (True is "yes", a list
    its words): those of UNIT_KEYS go to [Unit], the rest to [Service].
    EXTRA: lines added as they are at the end of [Service] (a key given
    twice, an unknown section, a bad line)."""
    units = Path(units)
    units.mkdir(mode=0o755, exist_ok=True)
    lines, where = [], {}

    def add(text):
        lines.append(text)
        key = text.partition("=")[0]
        if "=" in text and not text.startswith("["):
            where.setdefault(key, []).append(len(lines))

    add("[Unit]")
    add(f"Description={name}, played by svc")
    for key, value in keys.items():
        if key in UNIT_KEYS:
            add(f"{key}={unit_value(value)}")
    add("")
    add("[Service]")
    if exec_start is not None:
        value = exec_start if isinstance(exec_start, str) else exec_line(exec_start)
        add(f"ExecStart={value}")
    for key, value in keys.items():
        if key not in UNIT_KEYS:
            add(f"{key}={unit_value(value)}")
    for text in extra:
        add(text)
    path = units / f"{name}.service"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o644)
    return Unit(path, where)


def svc(name, *args):
    """The command line of the svc helper playing service NAME."""
    return [helper("svc"), name, *map(str, args)]


def grace_argv(units=None, options=(), check=False, verbose=True):
    """grace's own command line for services: -v (transitions on stderr,
    shown when a test fails), --check, --services UNITS, then OPTIONS."""
    argv = [GRACE] + (["-v"] if verbose else []) + (["--check"] if check else [])
    argv += ["--services", str(units)] if units is not None else []
    return argv + [str(option) for option in options]


def start_grace(start, units=None, main=(), options=(), check=False,
                verbose=True, **kwargs):
    """Starts grace over the services of UNITS (and OPTIONS), with MAIN as
    its main command when given; KWARGS go to the start fixture (runtime=,
    user=, env=).  These scenarios run grace whatever SCENARIO_INIT says:
    the feature is grace's own."""
    argv = grace_argv(units, options, check, verbose)
    main = [str(word) for word in main]
    if main:
        argv.append("--")
    return start(main, init="grace", init_argv=argv, **kwargs)


def unescape(value):
    """A value as svc logs it (bytes outside '!'..'~' and '\\' as \\xNN)
    back to the text."""
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                 value.encode())
    return raw.decode(errors="replace")


def event(run, name, kind, arg=None):
    """The first event KIND of NAME; fails the test, showing the log, when
    there is none."""
    found = run.log.first(name, kind, arg)
    assert found is not None, \
        f"{name} never logged {kind}{' ' + arg if arg else ''}\n{run.log.dump()}"
    return found


def events(run, name, kind, arg=None):
    return run.log.of(name, kind, arg)


def wait_ready(run, *names, timeout=TIMEOUT):
    """Waits until every service of NAMES has logged "ready"; returns their
    "start" events by name."""
    return run.log.wait_ready(*names, timeout=timeout)


def wait_count(run, name, kind, count, timeout=TIMEOUT):
    """Waits until NAME has logged COUNT events KIND; returns them."""
    try:
        wait_until(lambda: len(run.log.of(name, kind)) >= count, timeout,
                   f"{count} {kind} events of {name}")
    except AssertionError as e:
        raise AssertionError(f"{e}\n{run.log.dump()}") from None
    return run.log.of(name, kind)


def stop(run, sig=signal.SIGTERM):
    """Sends a stop signal to grace; returns a time before which it had
    certainly not been sent."""
    before = time.monotonic()
    run.signal(sig)
    return before


def stopped_by_grace(run, name, after=None):
    """NAME got SIGTERM (its term event) from grace, after time AFTER when
    given; returns the term event."""
    term = event(run, name, "term")
    assert term.fields["from"] == str(run.init_pid_inside()), term.line
    if after is not None:
        assert term.t > after, f"{name} got its stop signal too early: {term.line}"
    return term


def reaped(run, pid):
    """Whether PID (as the helpers see it) is gone, zombie no more: grace
    has reaped it, and so has acted on its end."""
    try:
        return proc_stat(run.host_pid_of(pid)) is None
    except AssertionError:
        return True


def wait_reaped(run, pid):
    wait_until(lambda: reaped(run, pid), what=f"pid {pid} reaped")


def stderr_lines(run):
    return run.stderr().splitlines()


def error_line(run):
    """grace's one line of error on stderr, checked to be alone and to read
    "grace: FILE:LINE: problem"; returns (file, line, problem)."""
    lines = stderr_lines(run)
    assert len(lines) == 1, f"want one line on stderr, got {lines}"
    match = re.fullmatch(r"grace: (.+?):(\d+): (.+)", lines[0])
    assert match, f"not 'grace: FILE:LINE: problem': {lines[0]!r}"
    return match.group(1), int(match.group(2)), match.group(3)


def parse_plan(text):
    """--check's plan: ({level: [names]}, main line or None, {service name:
    its line}), checked to come in that order: the levels from 0, the main
    line, one line per service."""
    lines = text.splitlines()
    levels, i = {}, 0
    while i < len(lines) and lines[i].startswith("level "):
        match = re.fullmatch(r"level (\d+):((?: \S+)*)", lines[i])
        assert match, f"bad level line {lines[i]!r}"
        assert int(match.group(1)) == len(levels), f"levels out of order:\n{text}"
        levels[len(levels)] = match.group(2).split()
        i += 1
    main = None
    if i < len(lines) and lines[i].startswith("main: "):
        main = lines[i]
        i += 1
    services = {}
    for line in lines[i:]:
        match = re.match(r"service (\S+?):", line)
        assert match, f"want 'service NAME: ...' after the levels and main, got {line!r}"
        assert match.group(1) not in services, f"{match.group(1)} twice:\n{text}"
        services[match.group(1)] = line
    return levels, main, services


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(host_pid):
    """utime + stime of a live process, in seconds."""
    with open(f"/proc/{host_pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def procfile_line(name, argv):
    """One foreman line: NAME: a command for /bin/sh -c."""
    return f"{name}: {shlex.join(argv)}"


def generous(seconds):
    """An upper bound for something that should take SECONDS: far above,
    so that it only catches what waits for the wrong timer."""
    return seconds + 1.0 * SLOW
