# SPDX-License-Identifier: MIT
"""The main child starts as a well-behaved shell would start it: its own
process group but grace's session, an empty signal mask, default
dispositions except the signals grace's parent ignored."""

import os
import shutil
import signal
import subprocess

import pytest

from conftest import MODES, actor, helper, inherited_sigign, wait_until


def signal_bits(*names):
    """The /proc/PID/status mask with these signals set."""
    bits = 0
    for name in names:
        bits |= 1 << (signal.Signals["SIG" + name] - 1)
    return bits


@pytest.mark.parametrize("mode", MODES)
def test_child_leads_its_group_in_graces_session(start, mode):
    run = start(actor("main"), mode=mode)
    main = run.log.wait_ready("main")["main"]
    if mode == "pid1":
        # As under runc or crun, the init itself leads a session.
        assert os.getsid(run.host_pid) == run.host_pid
    assert main.fields["ppid"] == str(run.init_pid_inside())
    assert main.fields["pgid"] == str(main.pid), "not its own process group"
    init_sid = 1 if mode == "pid1" else os.getsid(run.host_pid)
    assert main.fields["sid"] == str(init_sid), "not in grace's session"
    assert main.fields["sid"] != str(main.pid), "a session leader"


@pytest.mark.parametrize("mode", MODES)
def test_child_mask_is_empty_and_dispositions_are_its_parents(start, mode):
    run = start(actor("main"), mode=mode)
    main = run.log.wait_ready("main")["main"]
    assert int(main.fields["sigblk"], 16) == 0
    # grace blocks and handles (and ignores SIGPIPE) for itself only.
    assert int(main.fields["sigign"], 16) == inherited_sigign()


@pytest.mark.parametrize("mode", MODES)
def test_child_keeps_what_graces_parent_ignored_but_not_its_mask(start, mode):
    run = start(actor("main"), mode=mode, ignore=["HUP", "USR2"],
                block=["USR1", "WINCH", "TERM"])
    main = run.log.wait_ready("main")["main"]
    assert int(main.fields["sigblk"], 16) == 0
    ignored = int(main.fields["sigign"], 16)
    assert ignored & signal_bits("HUP", "USR2") == signal_bits("HUP", "USR2")
    assert ignored == inherited_sigign(["HUP", "USR2"])


# A daemon that calls setpgid(0, 0) first, as dcron's `crond -f` does, fails
# with EPERM when it is a session leader.

@pytest.mark.parametrize("user", ["root", "nobody"])
@pytest.mark.parametrize("mode", MODES)
def test_setpgid_daemon_starts(start, mode, user):
    run = start([helper("pgdaemon")], mode=mode, user=user)
    ready = run.log.wait_for("pgdaemon", "ready")
    assert ready.fields["pgid"] == str(ready.pid)
    run.signal(signal.SIGTERM)
    assert run.wait() == 0
    assert run.log.first("pgdaemon", "term")
    assert run.stderr() == ""


@pytest.mark.parametrize("init", ["none", "dumb-init"])
def test_setpgid_daemon_fails_as_a_session_leader(start, init):
    """Proof that the test above can fail: straight as PID 1 (a session
    leader, as runc makes it), or under dumb-init in its default mode, which
    setsid()s its child, the daemon cannot leave its group."""
    run = start([helper("pgdaemon")], init=init, mode="pid1",
                group=init == "dumb-init")
    assert run.wait() == 1
    assert "setpgid: Operation not permitted" in run.stderr()
    assert run.log.first("pgdaemon", "ready") is None


def real_crond():
    """Debian's cron or busybox's crond, when installed and when it links
    setpgid (Debian's cron does not: it only calls setsid)."""
    candidates = [["cron", "-f"], ["busybox", "crond", "-f"]]
    for argv in candidates:
        path = shutil.which(argv[0])
        if path is None or shutil.which("nm") is None:
            continue
        if argv[0] == "busybox":
            applets = subprocess.run([path, "--list"], capture_output=True,
                                     text=True).stdout.split()
            if "crond" not in applets:
                continue
        symbols = subprocess.run(["nm", "-D", "--undefined-only", path],
                                 capture_output=True, text=True).stdout
        if "setpgid" in symbols:
            return [path] + argv[1:]
    return None


def test_real_crond_starts(start, workdir):
    argv = real_crond()
    if argv is None or shutil.which("strace") is None:
        pytest.skip("no installed cron calls setpgid (Debian's cron -f does "
                    "not; busybox has no crond applet), or no strace")
    trace = workdir / "crond.trace"
    run = start(["strace", "-f", "-e", "trace=setpgid", "-o", str(trace)] + argv)
    line = wait_until(lambda: trace.exists() and "setpgid(" in trace.read_text()
                      and trace.read_text(), what="crond's setpgid call")
    assert "= 0" in line.split("setpgid(", 1)[1].splitlines()[0]
    assert run.running()
