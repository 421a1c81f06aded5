# SPDX-License-Identifier: MIT
"""A command that cannot be run: 127 when it is not found, 126 when it is
found but cannot be executed, and one line on stderr naming it and why."""

import pytest

from conftest import MODES


def command(kind, workdir):
    if kind == "missing-path":
        return "/nope/not-here"
    if kind == "missing-name":
        return "grace-no-such-command"
    if kind == "not-executable":
        path = workdir / "script"
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o644)
        return str(path)
    if kind == "directory":
        return str(workdir)
    raise ValueError(kind)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind, code, reason", [
    ("missing-path", 127, "No such file or directory"),
    ("missing-name", 127, "No such file or directory"),
    ("not-executable", 126, "Permission denied"),
    ("directory", 126, "Permission denied"),
], ids=["missing-path", "missing-name", "not-executable", "directory"])
def test_exec_failure(start, workdir, mode, kind, code, reason):
    cmd = command(kind, workdir)
    run = start([cmd, "arg"], mode=mode)
    assert run.wait() == code
    lines = run.stderr().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("grace: ")
    assert cmd in lines[0] and reason in lines[0]
    assert run.stdout() == ""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("args", [10, 1023, 5000])
def test_script_without_interpreter_line(start, workdir, mode, args):
    """A script with no "#!" line: glibc's execvp retries it through
    /bin/sh, copying every argument onto the child's stack before its
    exec.  However many there are, grace neither crashes nor loses the
    script's status; musl's execvp does not retry (126, Exec format
    error)."""
    script = workdir / "plain-script"
    script.write_text('echo "ran with $#"\nexit 3\n')
    script.chmod(0o755)
    run = start([str(script), *map(str, range(args))], mode=mode)
    code = run.wait()
    if code == 126:
        assert "Exec format error" in run.stderr()
        return
    assert code == 3, run.report()
    assert run.stdout() == f"ran with {args}\n"
    assert run.stderr() == ""
