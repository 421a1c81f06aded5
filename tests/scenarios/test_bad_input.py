# SPDX-License-Identifier: MIT
"""Bad usage: grace exits 125 with one line saying what is wrong and one
hint line, and starts nothing."""

import subprocess

import pytest

from conftest import GRACE, TIMEOUT, UNDER_TEST

pytestmark = pytest.mark.skipif(UNDER_TEST != "grace",
                                reason="grace's own command line")

HINT = "Try 'grace --help' for more information."

CASES = {
    "unknown-long-option": ["--bogus"],
    "unknown-short-option": ["-x"],
    "grace-negative": ["--grace", "-1"],
    "grace-not-a-number": ["--grace", "abc"],
    "grace-huge": ["--grace", "1e99"],
    "grace-empty": ["--grace", ""],
    "stop-signals-unknown-name": ["--stop-signals", "FOO"],
    "stop-signals-zero": ["--stop-signals", "0"],
    "stop-signals-65": ["--stop-signals", "65"],
    "stop-signals-empty": ["--stop-signals", ""],
    "stop-signals-one-bad": ["--stop-signals", "TERM,FOO"],
    "stop-signals-kill": ["--stop-signals", "KILL"],
    "grace-overflow": ["--grace", "99999999999999999999"],
    "grace-over-a-day": ["--grace", "86401"],
    "grace-too-fine": ["--grace", "0.0001"],
    "stop-timeout-negative": ["--stop-timeout", "-5"],
    "pidfile-wait-words": ["--pidfile-wait", "soon"],
    "pidfile-empty": ["--pidfile", ""],
    "tini-exit-code-256": ["-e", "256"],
    "tini-exit-code-negative": ["-e", "-1"],
    "tini-parent-death-unknown": ["-p", "SIGFOO"],
    "rewrite-no-colon": ["-r", "15"],
    "rewrite-signal-65": ["-r", "65:1"],
    "rewrite-from-zero": ["-r", "0:15"],
    "pause-with-command": ["-P"],
    "value-missing": ["--grace"],
}


def run_grace(args):
    return subprocess.run([GRACE, *args], capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_bad_option_starts_nothing(workdir, args):
    marker = workdir / "marker"
    result = run_grace(args + ["--", "/usr/bin/touch", str(marker)])
    assert result.returncode == 125
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("grace: ") and len(lines[0]) > len("grace: ")
    assert lines[1] == HINT
    assert result.stdout == ""
    assert not marker.exists(), "the command ran"


GOOD = {
    "grace-decimal": ["--grace", "0.5"],
    "grace-zero": ["--grace", "0"],
    "grace-whole": ["--grace", "10"],
    "stop-signals-name": ["--stop-signals", "TERM"],
    "stop-signals-sig-name": ["--stop-signals", "SIGTERM"],
    "stop-signals-number": ["--stop-signals", "15"],
    "stop-signals-list": ["--stop-signals", "TERM,SIGINT,1"],
    "group": ["-g"],
    "group-long": ["--group"],
}


@pytest.mark.parametrize("args", GOOD.values(), ids=GOOD.keys())
def test_good_option_runs_the_command(workdir, args):
    """The other side of the cases above: each form the contract allows."""
    marker = workdir / "marker"
    result = run_grace(args + ["--", "/usr/bin/touch", str(marker)])
    assert result.returncode == 0
    assert result.stderr == ""
    assert marker.exists()


@pytest.mark.parametrize("args", [[], ["--"], ["-v"], ["-g", "--grace", "1", "--"]],
                         ids=["nothing", "dashdash", "verbose", "options"])
def test_missing_command(args):
    result = run_grace(args)
    assert result.returncode == 125
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("grace: ")
    assert lines[1] == HINT


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag):
    result = run_grace([flag])
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: grace")
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    result = run_grace([flag])
    assert result.returncode == 0
    assert result.stdout == "grace 0.1.0\n"
    assert result.stderr == ""


def test_options_end_at_the_first_non_option(workdir):
    """`grace touch -v MARKER`: -v belongs to touch, which runs."""
    marker = workdir / "marker"
    result = run_grace(["/usr/bin/touch", "-c", str(marker), "--version"])
    assert result.returncode == 0
    assert "touch (GNU coreutils)" in result.stdout
    assert result.stderr == ""


def test_non_utf8_bytes_get_a_clear_error(workdir):
    marker = workdir / "marker"
    result = subprocess.run([GRACE.encode(), b"--grace", b"\xff\xfe", b"--",
                             b"/usr/bin/touch", bytes(marker)],
                            capture_output=True, timeout=TIMEOUT,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 125
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(b"grace: invalid --grace")
    assert not marker.exists()


def test_a_hundred_thousand_arguments(workdir):
    """The command line passes on whole, however long."""
    args = [str(i) for i in range(100_000)]
    result = subprocess.run([GRACE, "--", "sh", "-c", 'echo "$#"', "sh",
                             *args], capture_output=True, text=True,
                            timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert result.returncode == 0
    assert result.stdout == "100000\n"
    assert result.stderr == ""
