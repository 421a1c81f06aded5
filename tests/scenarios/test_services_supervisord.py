# SPDX-License-Identifier: MIT
"""Side by side with Debian's supervisord (package "supervisor") as PID 1:
its one program exits 1 and is not restarted (autorestart=false,
startsecs=0).  supervisord stays up with nothing left to run, and when it
is finally stopped it exits 0 as if nothing had failed (supervisor#775):
a container runtime sees success.  grace, over the same service, exits 1
on its own, no signal needed."""

import os

import pytest

from services import event, start_grace, stop, svc, write_unit

SUPERVISORD = "/usr/bin/supervisord"

CONF = """\
[supervisord]
nodaemon=true
user=root
logfile={workdir}/supervisord.log
pidfile={workdir}/supervisord.pid
childlogdir={workdir}

[program:failer]
command={command}
autostart=true
autorestart=false
startsecs=0
startretries=0
"""


def test_supervisord_hides_a_failed_program(start, workdir):
    if not os.access(SUPERVISORD, os.X_OK):
        pytest.skip(f"{SUPERVISORD} is not installed (Debian package supervisor)")
    if os.getuid() != 0:
        pytest.skip("supervisord's user=root needs root")
    conf = workdir / "supervisord.conf"
    conf.write_text(CONF.format(workdir=workdir,
                                command=" ".join(svc("failer", "--exit", 1))))
    run = start([], init="none", init_argv=[SUPERVISORD, "-n", "-c", str(conf)])
    failed = run.log.wait_for("failer", "exit")
    assert failed.fields["code"] == "1"
    # supervisord must still be there to take the signal: a ProcessLookupError
    # here would mean it had left on its own.
    stop(run)
    assert run.wait() == 0, "supervisord reported the failure after all"
    assert len(run.log.of("failer", "start")) == 1
    assert run.leftovers() == []


def test_grace_ends_with_the_failed_service(start, workdir):
    """The same service under grace: essential, not restarted, it ends the
    container with its status."""
    units = workdir / "units"
    write_unit(units, "failer", svc("failer", "--exit", 1))
    run = start_grace(start, units)
    assert run.wait() == 1
    assert event(run, "failer", "exit").fields["code"] == "1"
    # Nothing was signalled: the service's whole life.
    assert [e.event for e in run.log.of("failer")] == \
        ["start", "readying", "ready", "exit"]
    assert run.leftovers() == []

