# SPDX-License-Identifier: MIT
"""Bad services: each makes grace exit 125, with --check and without,
having started nothing (no service, no main command: the event log stays
empty), with exactly one line on stderr, "grace: FILE:LINE: problem",
naming the file and the line at fault.  And the other side: what a unit
file may hold as systemd's would (X- keys and sections, comments, an
optional missing EnvironmentFile=)."""

import pytest

from services import (error_line, parse_plan, start_grace, svc, write_unit)


def cycle(units, workdir):
    """felix After=bird, bird After=felix: the message names both."""
    felix = write_unit(units, "felix", svc("felix"), After="bird")
    bird = write_unit(units, "bird", svc("bird"), After="felix")
    return {str(u.path): u.line("After") for u in (felix, bird)}, ["felix", "bird"]


def long_cycle(units, workdir):
    """confd Requires=felix, felix After=bird, bird Wants=confd."""
    confd = write_unit(units, "confd", svc("confd"), Requires="felix")
    felix = write_unit(units, "felix", svc("felix"), After="bird")
    bird = write_unit(units, "bird", svc("bird"), Wants="confd")
    return ({str(confd.path): confd.line("Requires"),
             str(felix.path): felix.line("After"),
             str(bird.path): bird.line("Wants")},
            ["confd", "felix", "bird"])


def one_bad(key, value=None, *, names=(), **keys):
    """A case whose fault is KEY=VALUE in felix.service (or, with VALUE
    None, the line KEY as it is, last in the file), beside a good
    bird.service; the problem names NAMES."""
    def case(units, workdir):
        write_unit(units, "bird", svc("bird"))
        if value is None:
            felix = write_unit(units, "felix", svc("felix"), extra=[key], **keys)
            line = len(felix.path.read_text().splitlines())
        else:
            felix = write_unit(units, "felix", svc("felix"), **{key: value}, **keys)
            line = felix.line(key)
        return {str(felix.path): line}, list(names)
    return case


def bad_exec_start(units, workdir):
    """An ExecStart= that does not split: a quote left open."""
    write_unit(units, "bird", svc("bird"))
    felix = write_unit(units, "felix", svc("felix")[0] + ' felix "open')
    return {str(felix.path): felix.line("ExecStart")}, []


def missing_env_file(units, workdir):
    write_unit(units, "bird", svc("bird"))
    felix = write_unit(units, "felix", svc("felix"),
                       EnvironmentFile=workdir / "no-such.env")
    return {str(felix.path): felix.line("EnvironmentFile")}, ["no-such.env"]


def empty_exec_start(units, workdir):
    """ExecStart= with nothing: the service has no command.  Which line
    grace names is left open (the empty ExecStart= line is the natural
    one): any line of the file will do, but there must be one."""
    write_unit(units, "bird", svc("bird"))
    felix = write_unit(units, "felix", "")
    count = len(felix.path.read_text().splitlines())
    return {str(felix.path): range(1, count + 1)}, []


# What the interface leaves open is left out: a key before any section and
# a line without '=' (systemd warns and goes on), Wants= naming no unit
# (systemd ignores it), [Install] (systemd's own, though grace's subset
# has only [Unit] and [Service]).
CASES = {
    "cycle": cycle,
    "cycle-of-three": long_cycle,
    "missing-after": one_bad("After", "nosuch", names=["nosuch"]),
    "missing-requires": one_bad("Requires", "nosuch", names=["nosuch"]),
    "unknown-key": one_bad("Bogus=1", names=["Bogus"]),
    "unknown-section": one_bad("[Bogus]", names=["Bogus"]),
    "bad-duration": one_bad("RestartSec", "soon"),
    "bad-duration-unit": one_bad("TimeoutStopSec", "5parsecs"),
    "bad-signal": one_bad("KillSignal", "SIGFOO"),
    "bad-type": one_bad("Type", "sometimes"),
    "bad-restart": one_bad("Restart", "sometimes"),
    "bad-boolean": one_bad("Essential", "maybe"),
    "bad-kill-mode": one_bad("KillMode", "everything"),
    "bad-ready-check": one_bad("ReadyCheck", "ping:somewhere"),
    "bad-umask": one_bad("UMask", "0999"),
    "missing-user": one_bad("User", "nosuchuser", names=["nosuchuser"]),
    "missing-group": one_bad("Group", "nosuchgroup", names=["nosuchgroup"]),
    "missing-environment-file": missing_env_file,
    "empty-exec-start": empty_exec_start,
    "unsplittable-exec-start": bad_exec_start,
}


@pytest.mark.parametrize("check", [True, False], ids=["check", "run"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_unit_starts_nothing(start, workdir, case, check):
    units = workdir / "units"
    units.mkdir()
    where, names = case(units, workdir)
    run = start_grace(start, units, main=svc("main", "--exit", 0), check=check,
                      verbose=False)
    assert run.wait() == 125
    path, line, problem = error_line(run)
    assert path in where, f"{path} is not the file at fault, {list(where)}"
    want = where[path]
    ok = line in want if isinstance(want, range) else line == want
    assert ok, f"line {line} of {path}, want {want}"
    for name in names:
        assert name in problem, f"{name!r} not named in {problem!r}"
    assert run.log.events() == [], "something started"
    assert run.leftovers() == []


def test_bad_procfile_line(start, workdir):
    """A Procfile line that is no "name: command" is named by its line."""
    procfile = workdir / "Procfile"
    procfile.write_text(f"web: {svc('web')[0]} web\n# fine\nnot a process line\n")
    run = start_grace(start, options=["--procfile", procfile], check=True,
                      verbose=False)
    assert run.wait() == 125
    assert error_line(run)[:2] == (str(procfile), 3)
    assert run.log.events() == []


@pytest.mark.parametrize("option", [["--service", "=/bin/true"],
                                    ["--service", "web"],
                                    ["--service", "web="],
                                    ["--procfile", "/nonexistent/Procfile"],
                                    ["--services", "/nonexistent/units"]],
                         ids=["oneliner-no-name", "oneliner-no-command",
                              "oneliner-empty-command", "procfile-missing",
                              "services-dir-missing"])
def test_bad_service_options(start, option):
    """Bad --service/--procfile/--services values: 125, one "grace: " line
    (and perhaps the usual hint), nothing started."""
    run = start_grace(start, options=option, main=svc("main", "--exit", 0),
                      check=False, verbose=False)
    assert run.wait() == 125
    lines = run.stderr().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("grace: "), lines
    assert run.log.events() == []


def test_what_systemd_would_take(start, workdir):
    """X- keys in any section, an X- section, comments (# and ;), blank
    lines, an optional missing EnvironmentFile=: the plan checks."""
    units = workdir / "units"
    path = units / "web.service"
    units.mkdir()
    path.write_text(
        "# web, as a systemd unit\n"
        "; another comment\n"
        "[Unit]\n"
        "Description=web\n"
        "X-Owner=ops\n"
        "\n"
        "[Service]\n"
        f"ExecStart={svc('web')[0]} web --term-ms 10\n"
        "EnvironmentFile=-/nonexistent/web.env\n"
        "X-Note=anything\n"
        "\n"
        "[X-Deploy]\n"
        "Anything=goes\n")
    run = start_grace(start, units, check=True, verbose=False)
    assert run.wait() == 0, run.stderr()
    levels, _, services = parse_plan(run.stdout())
    assert levels == {0: ["web"]}
    assert list(services) == ["web"]
    assert run.stderr() == ""
