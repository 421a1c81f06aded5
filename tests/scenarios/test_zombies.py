# SPDX-License-Identifier: MIT
"""Every orphan handed to grace is reaped, even in a storm of them."""

import pytest

from conftest import PLACES, RUNTIMES, helper, wait_until

ORPHANS = 2000


def start_storm(start, **kwargs):
    """Starts the storm and waits until all its orphans exist and the first
    one has said who adopted it: the init, as PID 1 or as a subreaper."""
    run = start([helper("storm"), str(ORPHANS)], **kwargs)
    run.log.wait_for("storm", "created", timeout=30)
    adopted = run.log.wait_for("storm", "adopted")
    assert adopted.fields["ppid"] == str(run.init_pid_inside())
    return run


@pytest.mark.parametrize("mode, runtime", PLACES)
def test_orphan_storm_leaves_no_zombie(start, mode, runtime):
    run = start_storm(start, mode=mode, runtime=runtime)
    wait_until(lambda: run.zombie_children() == 0, what="no zombie left")
    assert run.running()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_orphan_storm_leaves_zombies_without_an_init(start, runtime):
    """Proof that the test above can fail: a PID 1 that does not reap."""
    run = start_storm(start, init="none", runtime=runtime)
    wait_until(lambda: run.zombie_children() == ORPHANS,
               what=f"{ORPHANS} zombies")
