# SPDX-License-Identifier: MIT
"""An interactive shell under the init, on a real pseudo-terminal, as with
`docker run -it`: it reads a line and answers, Ctrl-C interrupts its
foreground job but not the shell, Ctrl-Z stops the job, and `exit 3` gives
the init exit code 3."""

import os
import pty
import select
import signal
import time
import uuid

import pytest

from conftest import (GRACE, MODES, OTHER_INITS, SLOW, TAG_ENV, TIMEOUT,
                      tagged_pids, wait_until)

PROMPT = "grace-test$ "


class Terminal:
    """ARGV started on a new pseudo-terminal, as its session leader with
    the terminal as controlling terminal (a container's console)."""

    def __init__(self, argv):
        self.tag = uuid.uuid4().hex
        env = {"PATH": os.environ["PATH"], "PS1": PROMPT, "TERM": "dumb",
               TAG_ENV: self.tag}
        # What tests/valgrind.sh needs, under `make check-valgrind`.
        if "GRACE_BINARY" in os.environ:
            env["GRACE_BINARY"] = os.environ["GRACE_BINARY"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.seen = b""
        self.unread = b""

    def send(self, text):
        os.write(self.fd, text.encode())

    def expect(self, text, timeout=TIMEOUT):
        """Reads until TEXT appears; returns what came before it."""
        want = text.encode()
        deadline = time.monotonic() + timeout
        while want not in self.unread:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {text!r} on the terminal within "
                                     f"{timeout:.1f}s; it shows:\n"
                                     f"{self.seen.decode(errors='replace')}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:     # EIO: the other side is closed
                    data = b""
                if not data:
                    continue
                self.seen += data
                self.unread += data
        before, _, self.unread = self.unread.partition(want)
        return before.decode(errors="replace")

    def run(self, command):
        """Types COMMAND, waits for the next prompt, returns the output."""
        self.send(command + "\n")
        return self.expect(PROMPT)

    def wait(self, timeout=TIMEOUT):
        """The exit code of the process on the terminal."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                raise AssertionError("the init did not exit")
            # Drain the terminal so that nothing blocks on a full buffer.
            ready, _, _ = select.select([self.fd], [], [], 0.01)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    pass

    def running(self, name):
        """Whether a process called NAME of this terminal runs (state)."""
        for pid in tagged_pids(self.tag):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat[stat.index("(") + 1:stat.rindex(")")] == name:
                return stat[stat.rindex(")") + 2]
        return None

    def close(self):
        if self.pid is not None:
            for pid in tagged_pids(self.tag) + [self.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def command(init, mode, shell=("sh", "-i")):
    path = GRACE if init == "grace" else OTHER_INITS[init]
    argv = [path, "--", *shell]
    if mode == "pid1":
        # setsid -c: the init leads a new session that takes the terminal,
        # as runc and crun give a container's init its console.
        argv = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                "setsid", "-c"] + argv
    return argv


@pytest.fixture
def terminal():
    terminals = []

    def opener(argv):
        term = Terminal(argv)
        terminals.append(term)
        term.expect(PROMPT)
        return term

    yield opener
    for term in terminals:
        term.close()


JOB_CONTROL_ERRORS = ("job control", "can't access tty",
                      "cannot set terminal process group")

INITS = ["grace", "tini", "dumb-init", "catatonit"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("init", INITS)
def test_shell_reads_a_line_and_answers(terminal, init, mode):
    term = terminal(command(init, mode))
    term.send("read line; echo \"got:$line\"\n")
    term.send("hello\n")
    term.expect("got:hello")
    term.expect(PROMPT)
    term.send("exit 3\n")
    assert term.wait() == 3
    seen = term.seen.decode(errors="replace")
    assert not any(error in seen for error in JOB_CONTROL_ERRORS), seen


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("init", INITS)
def test_ctrl_c_interrupts_the_job_not_the_shell(terminal, init, mode):
    term = terminal(command(init, mode))
    term.send("sleep 30\n")
    wait_until(lambda: term.running("sleep"), what="sleep to run")
    term.send("\x03")
    term.expect(PROMPT, timeout=TIMEOUT)
    assert "alive=130" in term.run("echo alive=$?")
    term.send("exit 0\n")
    assert term.wait() == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("init", INITS)
def test_ctrl_z_stops_the_job(terminal, init, mode):
    term = terminal(command(init, mode))
    term.send("sleep 30\n")
    wait_until(lambda: term.running("sleep"), what="sleep to run")
    term.send("\x1a")
    term.expect(PROMPT)
    wait_until(lambda: term.running("sleep") == "T", what="sleep stopped")
    assert "Stopped" in term.run("jobs")
    term.run("kill -KILL %1")       # SIGTERM would wait for a SIGCONT
    wait_until(lambda: term.running("sleep") in (None, "Z"), what="sleep gone")
    # The shell refuses to exit while it knows of a stopped job: let it
    # see the job is gone.
    wait_until(lambda: "Stopped" not in term.run("jobs"), what="the job gone")
    term.send("exit 5\n")
    assert term.wait() == 5


def test_grace_in_the_background_leaves_the_terminal_alone(terminal):
    """grace started as a background job of an interactive shell does not
    take the terminal from it: the shell keeps reading its input."""
    term = terminal(["sh", "-i"])
    term.send(f"{GRACE} -- sleep 30 &\n")
    term.expect(PROMPT)
    wait_until(lambda: term.running("sleep"), what="sleep to run")
    assert "still-here" in term.run("echo still-here")
    term.run("kill %1")
    wait_until(lambda: term.running("sleep") in (None, "Z"), what="sleep gone")
    term.send("exit 0\n")
    assert term.wait() == 0


@pytest.mark.parametrize("mode", MODES)
def test_dumb_init_persona_gives_the_session_the_terminal(terminal, persona,
                                                          mode):
    """Under the dumb-init name the child leads a new session: grace gives
    up the terminal so that the child's session takes it."""
    argv = command("grace", mode)
    argv[argv.index(GRACE)] = persona("dumb-init")
    term = terminal(argv)
    term.send("sleep 30\n")
    wait_until(lambda: term.running("sleep"), what="sleep to run")
    term.send("\x03")
    term.expect(PROMPT)
    term.send("exit 7\n")
    assert term.wait() == 7
