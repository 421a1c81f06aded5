# SPDX-License-Identifier: MIT
"""grace as a drop-in for tini, dumb-init and catatonit: started under their
names (symlinks, as `make install` makes them), it takes their options,
variables, defaults and version text.  Each scenario also runs against the
real tool (Debian's package) to show grace matches it, except where grace
deliberately does better; those cases assert the difference."""

import os
import re
import signal
import subprocess

import pytest

from conftest import (GRACE, OTHER_INITS, PERSONAS, SLOW, TIMEOUT, actor,
                      helper, proc_field, wait_until)

# What a runtime parses: docker reads `docker-init --version` as tini's.
VERSION_FORMAT = {
    "tini": r"tini version \S+",
    "docker-init": r"tini version \S+",
    "catatonit": r"tini version \S+",
    "dumb-init": r"dumb-init v\S+",
}
# dumb-init prints its version on stderr; grace under that name does too.
# The real tool behind each persona.
REAL = {"tini": "tini", "docker-init": "tini", "dumb-init": "dumb-init",
        "catatonit": "catatonit"}
FLAVOURS = ("grace", "real")


def init_path(flavour, name, persona):
    """grace under NAME, or the real tool NAME stands for."""
    if flavour == "grace":
        return persona(name)
    return OTHER_INITS[REAL[name]]


def run_quick(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def received_before_marker(run, name, sig, marker=signal.SIGRTMIN + 2):
    """Whether actor NAME got SIG: sends it a real-time MARKER straight
    away; anything sent before is pending by then and read first."""
    pid = run.log.first(name, "start").pid
    run.kill_helper(pid, marker)
    mark = run.log.wait_for(name, "sig", f"RTMIN+{marker - signal.SIGRTMIN}")
    sig_name = signal.Signals(sig).name[3:]
    return any(e.args == [sig_name] for e in run.log.of(name, "sig")
               if e.t <= mark.t)


# --- version, help, license -------------------------------------------------

@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_version_has_the_tools_format(persona, name, flavour):
    option = "--version" if name != "catatonit" else "-V"
    result = run_quick([init_path(flavour, name, persona), option])
    assert result.returncode == 0
    output = result.stderr if name == "dumb-init" else result.stdout
    assert re.fullmatch(VERSION_FORMAT[name], output.splitlines()[0])
    if flavour == "grace":
        assert "grace" in output


@pytest.mark.parametrize("name,option", [("tini", "-l"), ("catatonit", "-L")])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_license(persona, name, option, flavour):
    result = run_quick([init_path(flavour, name, persona), option])
    assert result.returncode == 0
    assert "MIT" in result.stdout or flavour == "real" and "GNU" in result.stdout


@pytest.mark.parametrize("name", PERSONAS + ("grace",))
@pytest.mark.parametrize("option", ["-h", "--help"])
def test_help(persona, name, option):
    path = GRACE if name == "grace" else persona(name)
    result = run_quick([path, option])
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: ")
    assert result.stderr == ""


@pytest.mark.parametrize("name", ["dumb-init", "grace"])
def test_dumb_init_short_version(persona, name):
    path = GRACE if name == "grace" else persona(name)
    result = run_quick([path, "-V"])
    assert result.returncode == 0 and (result.stdout or result.stderr)


def test_make_install_makes_the_personas(tmp_path):
    """`make install` puts grace and its man page under PREFIX, with the
    other inits' names and gracectl as symlinks to it; DESTDIR is
    honoured."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    subprocess.run(["make", "-s", "-C", repo, "install", f"DESTDIR={tmp_path}",
                    "PREFIX=/usr"], check=True, capture_output=True,
                   timeout=10 * TIMEOUT)
    bindir = tmp_path / "usr" / "bin"
    assert (bindir / "grace").is_file()
    assert (tmp_path / "usr/share/man/man1/grace.1").is_file()
    for name in PERSONAS + ("gracectl",):
        assert os.readlink(bindir / name) == "grace"
    result = run_quick([str(bindir / "docker-init"), "--version"])
    assert re.fullmatch(VERSION_FORMAT["docker-init"], result.stdout.strip())
    # Under that name the binary is the control tool, not an init.
    result = run_quick([str(bindir / "gracectl"), "--help"])
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: gracectl [--control PATH|@NAME] COMMAND")


# --- command lines ------------------------------------------------------------

@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_double_dash_is_optional(start, persona, name, flavour):
    run = start(actor("main", "--raise", "USR2"),
                init="grace" if flavour == "grace" else REAL[name],
                init_argv=[init_path(flavour, name, persona)])
    code = run.wait()
    if flavour == "grace" or name == "dumb-init":
        assert code == 128 + signal.SIGUSR2
    else:
        # tini and catatonit reorder the arguments and take the
        # command's own "--raise" for theirs.
        assert code != 128 + signal.SIGUSR2


@pytest.mark.parametrize("name", ["tini", "catatonit"])
def test_options_end_at_the_first_non_option(persona, name):
    """`tini ls -l` runs `ls -l`; the real tini and catatonit take -l as
    their own (tini prints its license, catatonit refuses it)."""
    argv = ["ls", "-l", "/dev/null"]
    ours = run_quick([persona(name)] + argv)
    assert ours.returncode == 0
    assert "/dev/null" in ours.stdout
    real = run_quick([OTHER_INITS[name]] + argv)
    assert "/dev/null" not in real.stdout


# --- tini ------------------------------------------------------------------

@pytest.mark.parametrize("how", ["-g", "TINI_KILL_PROCESS_GROUP"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tini_group_forwarding(start, persona, how, flavour):
    path = init_path(flavour, "tini", persona)
    argv = [path, "-g", "--"] if how == "-g" else [path, "--"]
    env = {"TINI_KILL_PROCESS_GROUP": "1"} if how != "-g" else None
    run = start(actor("main", "[", "member", "]"), env=env,
                init="grace" if flavour == "grace" else "tini", init_argv=argv)
    run.log.wait_ready("main", "member")
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    assert received_before_marker(run, "member", signal.SIGUSR1)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tini_without_group_signals_the_child_alone(start, persona, flavour):
    run = start(actor("main", "[", "member", "]"),
                init="grace" if flavour == "grace" else "tini",
                init_argv=[init_path(flavour, "tini", persona), "--"])
    run.log.wait_ready("main", "member")
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    assert not received_before_marker(run, "member", signal.SIGUSR1)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tini_remaps_exit_codes_to_zero(start, persona, flavour):
    path = init_path(flavour, "tini", persona)
    init = "grace" if flavour == "grace" else "tini"
    run = start(actor("main"), init=init,
                init_argv=[path, "-e", "143", "-e", "3", "--"])
    run.log.wait_ready("main")
    run.signal(signal.SIGTERM)
    assert run.wait() == 0
    run = start(actor("main", "--exit", "4"), init=init,
                init_argv=[path, "-e", "143", "--"])
    assert run.wait() == 4


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tini_warns_about_reaped_zombies(start, persona, flavour):
    run = start([helper("storm"), "3"],
                init="grace" if flavour == "grace" else "tini",
                init_argv=[init_path(flavour, "tini", persona), "-w", "--"])
    run.log.wait_for("storm", "created")
    wait_until(lambda: "eaped zombie" in run.stderr(), what="a reap warning")
    run.signal(signal.SIGTERM)
    run.wait()


@pytest.mark.parametrize("how", [["-s"], []])
@pytest.mark.parametrize("variable", [True, False], ids=["TINI_SUBREAPER", "-"])
def test_tini_subreaper_options(start, persona, how, variable):
    """grace is a subreaper whenever it is not PID 1; -s and TINI_SUBREAPER
    are accepted and change nothing."""
    env = {"TINI_SUBREAPER": "1"} if variable else None
    run = start([helper("storm"), "20"], mode="plain", init="grace", env=env,
                init_argv=[persona("tini")] + how + ["--"])
    adopted = run.log.wait_for("storm", "adopted")
    assert adopted.fields["ppid"] == str(run.host_pid)
    run.log.wait_for("storm", "created")
    wait_until(lambda: run.zombie_children() == 0, what="every orphan reaped")
    run.signal(signal.SIGTERM)
    run.wait()
    assert run.stderr() == ""


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tini_parent_death_signal(start, persona, flavour):
    """-p SIGNAL: when the init's parent dies, the init gets SIGNAL, and
    passes it on to the main child."""
    path = init_path(flavour, "tini", persona)
    parent = ["sh", "-c", '"$@" & wait', "sh"]
    run = start(actor("main"), mode="plain",
                init="grace" if flavour == "grace" else "tini",
                init_argv=parent + [path, "-s", "-p", "SIGUSR1", "--"])
    run.log.wait_ready("main")
    run.signal(signal.SIGKILL)          # the sh in front of the init
    run.log.wait_for("main", "sig", "USR1")


@pytest.mark.parametrize("how", ["-v", "-vv", "-vvv", "TINI_VERBOSITY=3"])
def test_tini_verbosity(start, persona, how):
    argv = [persona("tini")] + ([how] if how.startswith("-") else []) + ["--"]
    env = dict([how.split("=")]) if "=" in how else None
    run = start(actor("main", "--exit", "0"), init="grace", init_argv=argv,
                env=env)
    assert run.wait() == 0
    lines = run.stderr().splitlines()
    assert lines and all(line.startswith("grace: ") for line in lines)


def test_tini_default_verbosity_is_silent(start, persona):
    run = start(actor("main", "--exit", "0"), init="grace",
                init_argv=[persona("tini"), "--"], env={"TINI_VERBOSITY": "1"})
    assert run.wait() == 0
    assert run.stderr() == ""


# --- dumb-init ----------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dumb_init_default_is_a_new_session_signalled_as_a_group(start, persona,
                                                                 flavour):
    run = start(actor("main", "[", "member", "]"),
                init="grace" if flavour == "grace" else "dumb-init",
                init_argv=[init_path(flavour, "dumb-init", persona), "--"])
    started = run.log.wait_ready("main", "member")
    main = started["main"]
    assert main.fields["sid"] == str(main.pid)
    assert main.fields["pgid"] == str(main.pid)
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    assert received_before_marker(run, "member", signal.SIGUSR1)


@pytest.mark.parametrize("how", ["-c", "--single-child", "DUMB_INIT_SETSID=0"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dumb_init_single_child(start, persona, how, flavour):
    path = init_path(flavour, "dumb-init", persona)
    argv = [path] + ([how] if how.startswith("-") else []) + ["--"]
    env = dict([how.split("=")]) if "=" in how else None
    run = start(actor("main", "[", "member", "]"), env=env, init_argv=argv,
                init="grace" if flavour == "grace" else "dumb-init")
    main = run.log.wait_ready("main", "member")["main"]
    assert main.fields["sid"] != str(main.pid)
    if flavour == "grace":
        # grace still gives the child a group of its own (dumb-init leaves
        # it in its own group), so that the child can signal its group.
        assert main.fields["pgid"] == str(main.pid)
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    assert not received_before_marker(run, "member", signal.SIGUSR1)


@pytest.mark.parametrize("rule,sent,got", [
    ("10:12", signal.SIGUSR1, "USR2"),
    ("15:3", signal.SIGTERM, "QUIT"),
    ("USR1:WINCH", signal.SIGUSR1, "WINCH"),
])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dumb_init_rewrite(start, persona, rule, sent, got, flavour):
    if flavour == "real" and not rule[0].isdigit():
        pytest.skip("dumb-init takes numbers only; grace takes names too")
    run = start(actor("main"),
                init="grace" if flavour == "grace" else "dumb-init",
                init_argv=[init_path(flavour, "dumb-init", persona), "-c",
                           "-r", rule, "--"])
    run.log.wait_ready("main")
    run.signal(sent)
    run.log.wait_for("main", "sig", got)
    assert not received_before_marker(run, "main", sent)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dumb_init_rewrite_to_zero_drops(start, persona, flavour):
    run = start(actor("main"),
                init="grace" if flavour == "grace" else "dumb-init",
                init_argv=[init_path(flavour, "dumb-init", persona),
                           "--rewrite", "10:0", "--"])
    run.log.wait_ready("main")
    run.signal(signal.SIGUSR1)
    run.signal(signal.SIGUSR2)
    run.log.wait_for("main", "sig", "USR2")
    assert run.log.first("main", "sig", "USR1") is None


@pytest.mark.parametrize("how", ["-v", "--verbose", "DUMB_INIT_DEBUG=1"])
def test_dumb_init_verbose(start, persona, how):
    argv = [persona("dumb-init")] + ([how] if how.startswith("-") else [])
    env = dict([how.split("=")]) if "=" in how else None
    run = start(actor("main", "--exit", "0"), init="grace",
                init_argv=argv + ["--"], env=env)
    assert run.wait() == 0
    assert "grace: " in run.stderr()


# --- catatonit ----------------------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_catatonit_group_forwarding(start, persona, flavour):
    run = start(actor("main", "[", "member", "]"),
                init="grace" if flavour == "grace" else "catatonit",
                init_argv=[init_path(flavour, "catatonit", persona), "-g", "--"])
    run.log.wait_ready("main", "member")
    run.signal(signal.SIGUSR1)
    run.log.wait_for("main", "sig", "USR1")
    assert received_before_marker(run, "member", signal.SIGUSR1)


def start_pause(start, persona, flavour):
    """An init in pause mode, once it is ready for signals: a namespace's
    init drops a signal it neither handles nor blocks, and unshare's child
    has them blocked for a moment before exec.  grace says so with -v
    (after blocking them); for catatonit, its exe and its mask tell."""
    path = init_path(flavour, "catatonit", persona)
    if flavour == "grace":
        run = start([], init="grace", init_argv=[path, "-P", "-v"])
        wait_until(lambda: "pause mode" in run.stderr(),
                   what="grace to say it pauses")
        return run
    run = start([], init="catatonit", init_argv=[path, "-P"])

    def ready():
        try:
            exe = os.readlink(f"/proc/{run.host_pid}/exe")
        except (OSError, TypeError):
            return False
        blocked = int(proc_field(run.host_pid, "SigBlk") or "0", 16)
        return exe == path and blocked & (1 << (signal.SIGINT - 1))

    wait_until(ready, what="catatonit to block its signals")
    return run


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_catatonit_pause_exits_zero_on_stop(start, persona, sig, flavour):
    """catatonit's pause mode quits on SIGINT only; grace on any stop
    signal (SIGTERM is what runtimes send)."""
    if flavour == "real" and sig == signal.SIGTERM:
        pytest.skip("catatonit -P quits on SIGINT only")
    run = start_pause(start, persona, flavour)
    run.signal(sig)
    assert run.wait() == 0


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_catatonit_pause_reaps(start, persona, flavour):
    """A pod's pause process reaps what the namespace orphans."""
    run = start_pause(start, persona, flavour)
    run.enter([helper("storm"), "50"])
    run.log.wait_for("storm", "created")
    assert run.log.wait_for("storm", "adopted").fields["ppid"] == "1"
    wait_until(lambda: run.zombie_children() == 0, what="every orphan reaped")


def test_pause_stop_waits_for_every_process(start, persona):
    """grace's stop sequence holds in pause mode too: a process entered
    from outside finishes its SIGTERM handler; the real catatonit exits at
    once and the kernel kills it without a SIGTERM."""
    outcome = {}
    for flavour in FLAVOURS:
        run = start_pause(start, persona, flavour)
        run.enter(actor("visitor", "--term-ms", "300"),
                  env={"ACTOR_INIT_PID": "1"})
        run.log.wait_ready("visitor")
        run.signal(signal.SIGINT)
        assert run.wait(timeout=TIMEOUT + 1 * SLOW) == 0
        outcome[flavour] = run.log.first("visitor", "done")
    assert outcome["grace"] is not None
    assert outcome["grace"].fields["init"] == "alive"
    assert outcome["real"] is None


# --- every persona ----------------------------------------------------------

@pytest.mark.parametrize("name", PERSONAS)
def test_every_persona_stops_every_process(start, persona, name):
    """The improvements stay in every persona: an escaped process with a
    slow handler finishes it before the init exits."""
    run = start(actor("main", "[", "escaped", "--setsid", "--term-ms", "300",
                      "]"), init="grace", init_argv=[persona(name), "--"])
    run.log.wait_ready("main", "escaped")
    run.signal(signal.SIGTERM)
    code = run.wait()
    assert code == 128 + signal.SIGTERM
    done = run.log.first("escaped", "done")
    assert done is not None and done.fields["init"] == "alive"


@pytest.mark.parametrize("name", PERSONAS)
def test_every_persona_starts_the_child_unblocked(start, persona, name):
    run = start(actor("main"), init="grace", init_argv=[persona(name), "--"])
    main = run.log.wait_ready("main")["main"]
    assert int(main.fields["sigblk"], 16) == 0


@pytest.mark.parametrize("sig", ["TSTP", "TTIN", "TTOU"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_catatonit_terminal_signals_reach_the_child(start, persona, sig,
                                                   flavour):
    """catatonit drops SIGTSTP, SIGTTIN and SIGTTOU and starts its child
    with them blocked (podman issue 18095); grace passes them on."""
    run = start(actor("main"),
                init="grace" if flavour == "grace" else "catatonit",
                init_argv=[init_path(flavour, "catatonit", persona), "--"])
    run.log.wait_ready("main")
    run.signal(signal.Signals["SIG" + sig])
    # The marker goes through the init too: an init reads the standard
    # signal before the real-time one, so it has passed it on (or not)
    # before it passes the marker on.
    marker = signal.SIGRTMIN + 2
    run.signal(marker)
    mark = run.log.wait_for("main", "sig", "RTMIN+2")
    got = any(e.args == [sig] for e in run.log.of("main", "sig")
              if e.t <= mark.t)
    assert got == (flavour == "grace")
