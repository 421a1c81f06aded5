# SPDX-License-Identifier: MIT
"""The release binaries (`make release`): static and stripped, against musl,
listed right in SHA256SUMS; the x86_64 one runs here, the aarch64 one under
qemu-user (Debian's qemu-user-static): its version, exit codes and a stop.

qemu-user 7.2 refuses PR_SET_CHILD_SUBREAPER, which grace asks for when it
is not PID 1, so the aarch64 grace runs as PID 1 of a PID namespace, as in
a container.  Its children are this machine's own programs, which the kernel
runs natively, or aarch64 ones started through qemu-aarch64-static by name:
an emulated process can exec aarch64 programs directly only where
binfmt_misc has qemu registered."""

import hashlib
import os
import platform
import re
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SANITIZED, actor
from engines import unavailable

pytestmark = pytest.mark.skipif(
    SANITIZED, reason="the release binaries are tested by `make scenarios`, "
    "not again with grace sanitized or under valgrind")

RELEASE = Path(os.environ.get("RELEASE", REPO / "build" / "release"))
HELPERS_AARCH64 = Path(os.environ.get("HELPERS_AARCH64",
                                      REPO / "build" / "helpers-aarch64"))
QEMU = "/usr/bin/qemu-aarch64-static"
BINFMT = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")
VERSION = re.search(r"^VERSION\s*:=\s*(\S+)$",
                    (REPO / "Makefile").read_text(), re.M).group(1)
# Each release binary's machine, as file(1) and the ELF header name it.
ARCHES = {"x86_64": ("x86-64", 62), "aarch64": ("ARM aarch64", 183)}
PT_INTERP = 3
QUICK = 10  # seconds: a bound for commands that end at once


def release_binary(arch):
    path = RELEASE / f"grace-{VERSION}-{arch}"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make release`")
    return path


def aarch64_actor():
    path = HELPERS_AARCH64 / "actor"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make {path}`")
    return path


@pytest.fixture(scope="module")
def grace_aarch64():
    """The aarch64 grace, once qemu-user is seen to run aarch64 programs
    here (the test actor, not grace, so that a broken grace fails rather
    than skips); skipped with the reason where it cannot."""
    grace = release_binary("aarch64")
    if not os.path.exists(QEMU):
        unavailable(f"{QEMU} is missing: install qemu-user-static")
    probe = subprocess.run([QEMU, aarch64_actor(), "probe", "--exit", "7"],
                           capture_output=True, text=True, timeout=QUICK,
                           env=dict(os.environ, EVENT_LOG=os.devnull))
    if probe.returncode != 7:
        unavailable(f"qemu-user cannot run aarch64 programs here: exit "
                    f"{probe.returncode}, {probe.stderr.strip()!r}")
    return str(grace)


def start_aarch64(start, grace, cmd):
    """CMD under the aarch64 grace, PID 1 of a fresh PID namespace."""
    return start(cmd, init="grace", mode="pid1",
                 init_argv=[QEMU, grace, "--"])


def test_checksums_list_both_binaries_and_verify():
    sums = release_binary("x86_64").parent / "SHA256SUMS"
    release_binary("aarch64")
    lines = sums.read_text().splitlines()
    names = sorted(line.split("  ", 1)[1] for line in lines)
    assert names == sorted(f"grace-{VERSION}-{arch}" for arch in ARCHES)
    for line in lines:
        digest, name = line.split("  ", 1)
        data = (RELEASE / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    check = subprocess.run(["sha256sum", "--check", "--strict", sums.name],
                           cwd=RELEASE, capture_output=True, text=True,
                           timeout=QUICK)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_binary_is_static_stripped_and_without_glibc(arch):
    path = release_binary(arch)
    machine, e_machine = ARCHES[arch]
    described = subprocess.run(["file", "-b", path], check=True, text=True,
                               capture_output=True).stdout.strip()
    assert described.startswith("ELF 64-bit LSB executable"), described
    assert f", {machine}," in described, described
    assert "statically linked" in described, described
    assert described.endswith(", stripped"), described
    # glibc's crt1.o carries an ABI note ("for GNU/Linux 3.2.0"), and its
    # static programs read GLIBC_TUNABLES; musl has neither.
    assert "GNU/Linux" not in described, described
    data = path.read_bytes()
    assert b"GLIBC_" not in data
    # No program interpreter: nothing is loaded at run time.
    assert int.from_bytes(data[18:20], "little") == e_machine
    phoff = int.from_bytes(data[32:40], "little")
    phentsize = int.from_bytes(data[54:56], "little")
    phnum = int.from_bytes(data[56:58], "little")
    types = [int.from_bytes(data[phoff + i * phentsize:][:4], "little")
             for i in range(phnum)]
    assert types and PT_INTERP not in types


def test_x86_64_binary_shows_its_version():
    if platform.machine() != "x86_64":
        pytest.skip(f"this machine is {platform.machine()}, not x86_64")
    shown = subprocess.run([release_binary("x86_64"), "--version"],
                           capture_output=True, text=True, timeout=QUICK)
    assert (shown.returncode, shown.stdout) == (0, f"grace {VERSION}\n")


@pytest.mark.parametrize("name, expected", [
    ("grace", f"grace {VERSION}\n"),
    # What docker reads from its docker-init.
    ("docker-init", f"tini version {VERSION}_grace\n")])
def test_aarch64_binary_shows_its_version(grace_aarch64, name, expected):
    # qemu's -0 sets the program's argv[0], as a symlink of that name would.
    shown = subprocess.run([QEMU, "-0", name, grace_aarch64, "--version"],
                           capture_output=True, text=True, timeout=QUICK)
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, expected, "")


EXITS = {
    "native-child-3": (["/bin/sh", "-c", "exit 3"], 3),
    "not-found-127": (["/nonexistent/command"], 127),
    "not-executable-126": (["/etc/passwd"], 126),
    "aarch64-child-42": ("aarch64", ["--exit", "42"], 42),
    "aarch64-child-killed-143": ("aarch64", ["--raise", "TERM"], 143),
}


@pytest.mark.parametrize("case", EXITS)
def test_aarch64_grace_passes_the_exit_status_on(start, grace_aarch64, case):
    if EXITS[case][0] == "aarch64":
        _, args, code = EXITS[case]
        cmd = [QEMU, aarch64_actor(), "main", *args]
    else:
        cmd, code = EXITS[case]
    run = start_aarch64(start, grace_aarch64, cmd)
    assert run.wait() == code, run.stderr()


def test_aarch64_grace_execs_aarch64_programs_through_binfmt(start,
                                                             grace_aarch64):
    try:
        registered = BINFMT.read_text().splitlines()[0] == "enabled"
    except OSError:
        registered = False
    if not registered:
        pytest.skip(f"{BINFMT} is not there and enabled: without binfmt_misc "
                    "an emulated grace runs aarch64 programs only through "
                    "qemu-aarch64-static by name")
    run = start_aarch64(start, grace_aarch64,
                        [aarch64_actor(), "main", "--exit", "3"])
    assert run.wait() == 3, run.stderr()


def test_aarch64_stop_waits_for_the_aarch64_childs_handler(start,
                                                          grace_aarch64):
    run = start_aarch64(start, grace_aarch64,
                        [QEMU, aarch64_actor(), "main", "--term-ms", "300"])
    run.log.wait_ready("main")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM, run.stderr()
    term, done = run.log.first("main", "term"), run.log.first("main", "done")
    assert term is not None and term.fields["from"] == "1", run.log.dump()
    assert done is not None and done.fields["init"] == "alive", run.log.dump()
    assert done.t - term.t >= 0.3
    assert run.exited_at > done.t
    assert run.stderr() == ""


def test_aarch64_stop_reaches_every_process_left(start, grace_aarch64):
    """The main child ends at the stop; grace then stops a worker of its
    group and a daemon in a session of its own, and waits for both."""
    run = start_aarch64(start, grace_aarch64, actor(
        "main", "--term-ms", "50",
        "[", "worker", "--term-ms", "300", "]",
        "[", "daemon", "--double-fork", "--setsid", "--term-ms", "300", "]"))
    run.log.wait_ready("main", "worker", "daemon")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM, run.stderr()
    main_end = run.log.first("main", "raise")
    assert main_end is not None, run.log.dump()
    for name in ("worker", "daemon"):
        term, done = run.log.first(name, "term"), run.log.first(name, "done")
        assert term is not None and term.fields["from"] == "1", run.log.dump()
        assert term.t > main_end.t, f"{name} got SIGTERM before main ended"
        assert done is not None and done.fields["init"] == "alive", \
            f"the init left before {name} was done\n{run.log.dump()}"
        assert run.exited_at > done.t
    assert run.leftovers() == []
    assert run.stderr() == ""
