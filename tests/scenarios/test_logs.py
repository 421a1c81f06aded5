# SPDX-License-Identifier: MIT
"""grace says nothing when all is well, and with -v says what it does, each
line prefixed "grace: "."""

import signal

import pytest

from conftest import MODES, actor


@pytest.mark.parametrize("mode", MODES)
def test_clean_run_is_silent(start, mode):
    run = start(actor("main", "--exit", "0", "[", "kid", "]"), mode=mode)
    assert run.wait() == 0
    assert run.stderr() == ""
    assert run.stdout() == ""


@pytest.mark.parametrize("mode", MODES)
def test_clean_stop_is_silent(start, mode):
    run = start(actor("main", "[", "kid", "--setsid", "]"), mode=mode)
    run.log.wait_ready("main", "kid")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    assert run.stderr() == ""


@pytest.mark.parametrize("mode", MODES)
def test_verbose_says_what_it_does(start, mode):
    run = start(actor("main", "[", "kid", "--setsid", "]"), mode=mode,
                verbose=1)
    run.log.wait_ready("main", "kid")
    run.signal(signal.SIGTERM)
    assert run.wait() == 128 + signal.SIGTERM
    lines = run.stderr().splitlines()
    assert lines, "nothing logged"
    assert all(line.startswith("grace: ") for line in lines), lines
    text = run.stderr()
    for words in ("received SIGTERM", "forwarded SIGTERM", "reaped pid", "stop:"):
        assert words in text, words
