# SPDX-License-Identifier: MIT
"""grace exits with the main child's status: its code, or 128+N when a
signal N killed it."""

import pytest

from conftest import PLACES, actor


@pytest.mark.parametrize("mode, runtime", PLACES)
@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_code_is_the_childs(start, mode, runtime, code):
    run = start(actor("main", "--exit", code), mode=mode, runtime=runtime)
    assert run.wait() == code
    assert run.log.first("main", "exit").fields["code"] == str(code)


@pytest.mark.parametrize("mode, runtime", PLACES)
@pytest.mark.parametrize("sig, code", [("KILL", 137), ("TERM", 143),
                                       ("INT", 130), ("USR1", 138)],
                         ids=["KILL-137", "TERM-143", "INT-130", "USR1-138"])
def test_death_by_signal_is_128_plus_n(start, mode, runtime, sig, code):
    run = start(actor("main", "--raise", sig), mode=mode, runtime=runtime)
    assert run.wait() == code
    assert run.log.first("main", "raise").fields["sig"] == sig
    # The actor logs "exit" only when the signal failed to kill it.
    assert run.log.first("main", "exit") is None
