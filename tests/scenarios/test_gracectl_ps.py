# SPDX-License-Identifier: MIT
"""`gracectl ps [--json]`: grace's binary started as gracectl shows every
process of the container as a tree, with the signals each catches, ignores,
blocks and has pending, and marks for a zombie, an escaped session, a
process entered from outside and a PID 1 that `kill 1` cannot stop.  It
needs no daemon: it reads /proc, in a container with grace as PID 1 or
with any other PID 1."""

import json
import os
import re
import signal
import subprocess

import pytest

from conftest import GRACE, TIMEOUT, VALGRIND, actor, helper, proc_field, \
    wait_until
from services import exec_line, start_grace, svc

# ps reads grace's own /proc entries, which under valgrind are valgrind's.
pytestmark = pytest.mark.skipif(VALGRIND, reason="not under valgrind: ps "
                                "looks at grace's process, valgrind's there")

TERM_IGNORED = "no handler for SIGTERM: `kill 1` is ignored"

# A process that keeps a zombie: the shell's child exits, and the sleep the
# shell became never waits for it.
ZOMBIE_HOLDER = ["/bin/sh", "-c", "/bin/true & exec /bin/sleep 1000"]

# A text row up to COMMAND: PID PPID PGID SID S USER SERVICE.
ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+) (\S) (\S+)\s+(\S+)\s+$")
# The command, indented three columns a level, "\_ " before a child's.
COMMAND = re.compile(r"^((?:   )*)(\\_ )?(.*)$")


def signal_names(mask):
    """A /proc mask (hex) as the signals' names, as gracectl writes them."""
    names = []
    for sig in range(1, 65):
        if not int(mask, 16) & (1 << (sig - 1)):
            continue
        if signal.SIGRTMIN <= sig <= signal.SIGRTMAX:
            offset = sig - signal.SIGRTMIN
            names.append("SIGRTMIN" + (f"+{offset}" if offset else ""))
        else:
            try:
                names.append(signal.Signals(sig).name)
            except ValueError:
                names.append(f"SIG{sig}")
    return names


def rt_offset(name):
    """SIGRTMIN+3 -> 3."""
    assert name.startswith("SIGRTMIN"), name
    return int(name[9:] or 0)


def expand(names):
    """The table's list of signal names, with its runs of realtime signals
    ("SIGRTMIN..SIGRTMIN+30") written out."""
    out = []
    for name in names:
        first, dots, last = name.partition("..")
        if not dots:
            out.append(name)
            continue
        out += ["SIGRTMIN" + (f"+{k}" if k else "")
                for k in range(rt_offset(first), rt_offset(last) + 1)]
    return out


def parse_text(text):
    """The rows of gracectl ps's table: dicts of the columns, the depth,
    and the lines under each ("! mark", "caught: ...")."""
    lines = text.splitlines()
    assert lines[0].split() == ["PID", "PPID", "PGID", "SID", "S", "USER",
                                "SERVICE", "COMMAND"], text
    column = lines[0].index("COMMAND")
    rows = []
    for line in lines[1:]:
        match = ROW.match(line[:column])
        if match:
            pid, ppid, pgid, sid, state, user, service = match.groups()
            indent, child, command = COMMAND.match(line[column:]).groups()
            depth = len(indent) // 3 + (1 if child else 0)
            rows.append({"pid": int(pid), "ppid": int(ppid),
                         "pgid": int(pgid), "sid": int(sid), "state": state,
                         "user": user, "service": service, "depth": depth,
                         "command": command, "marks": [], "signals": {}})
            continue
        assert rows, f"a detail line before any process: {line!r}"
        detail = line.strip()
        if detail.startswith("! "):
            rows[-1]["marks"].append(detail[2:])
        else:
            kind, _, names = detail.partition(": ")
            rows[-1]["signals"][kind] = expand(names.split())
    return rows


def tree_order(processes):
    """The pids of PROCESSES (dicts with pid and ppid) in the order the
    tree must come in, with each one's depth: roots (parent not listed) by
    pid, each followed by its children by pid, depth first."""
    pids = {p["pid"] for p in processes}
    children = {}
    for p in processes:
        parent = p["ppid"] if p["ppid"] in pids and p["ppid"] != p["pid"] else None
        children.setdefault(parent, []).append(p["pid"])
    order = []
    stack = [(pid, 0) for pid in sorted(children.get(None, []), reverse=True)]
    while stack:
        pid, depth = stack.pop()
        order.append((pid, depth))
        stack += [(child, depth + 1)
                  for child in sorted(children.get(pid, []), reverse=True)]
    return order


def gracectl_ps(run, gracectl, *options):
    """Runs gracectl ps inside the run's namespaces (entered, as `docker
    exec` runs it); its stdout."""
    done = run.inside([gracectl, "ps", *options], check=False)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    assert done.stderr == ""
    return done.stdout


def by_pid(processes):
    return {p["pid"]: p for p in processes}


def start_workload(start, workdir):
    """grace as PID 1 over a tree with every case gracectl points out:
    main -> worker -> leaf and main -> esc (its own session, an actor
    tree), web (svc, which leaves a daemon behind in a session of its own),
    holder (a shell turned sleep, keeping a zombie), and a visitor entered
    from outside.  Every process under grace inherits SIGUSR2 ignored; the
    visitor is born with SIGHUP ignored and SIGUSR1 blocked."""
    options = ["--service", f"web={exec_line(svc('web', '--fork-daemon'))}",
               "--service", f"holder={exec_line(ZOMBIE_HOLDER)}"]
    main = actor("main", "[", "worker", "[", "leaf", "]", "]",
                 "[", "esc", "--setsid", "]")
    run = start_grace(start, main=main, options=options, ignore=("USR2",))
    for name in ("main", "worker", "leaf", "esc"):
        run.log.wait_for(name, "start")
    run.log.wait_for("web", "start")
    run.log.wait_for("web", "daemon-start")
    run.enter(["env", "--ignore-signal=HUP", "--block-signal=USR1",
               *actor("visitor", "--catch", "TERM")])
    for name in ("main", "worker", "leaf", "esc", "web", "visitor"):
        run.log.wait_for(name, "ready")
    return run


def wait_for_zombie(run, gracectl):
    """The holder's zombie, once gracectl sees it; the whole listing."""
    def seen():
        listing = json.loads(gracectl_ps(run, gracectl, "--json"))
        pids = by_pid(listing["processes"])
        # The shell may not have become sleep yet when true is over.
        held = [p for p in listing["processes"] if p["state"] == "Z"
                and pids[p["ppid"]]["command"] == "/bin/sleep 1000"]
        return listing if held else None
    return wait_until(seen, what="the holder's zombie")


def test_ps_as_pid1(start, workdir, gracectl):
    run = start_workload(start, workdir)
    listing = wait_for_zombie(run, gracectl)
    text = gracectl_ps(run, gracectl)
    print(text)
    processes = listing["processes"]
    rows = parse_text(text)
    pids = by_pid(processes)
    # gracectl itself, entered like the visitor, is in each listing, a
    # different process each time.
    assert processes[-1]["command"] == f"{gracectl} ps --json"
    assert processes[-1]["marks"] == ["entered from outside"]
    assert rows[-1]["command"] == f"{gracectl} ps"
    processes, rows = processes[:-1], rows[:-1]
    ev = {name: run.log.first(name, "start")
          for name in ("main", "worker", "leaf", "esc", "web", "visitor")}

    # The same processes in both, in tree order.
    order = tree_order(processes)
    assert [p["pid"] for p in processes] == [pid for pid, _ in order]
    assert [(r["pid"], r["depth"]) for r in rows] == order, text
    for row in rows:
        p = pids[row["pid"]]
        for key in ("ppid", "pgid", "sid", "state", "user"):
            assert row[key] == p[key], (key, row, p)
        assert row["service"] == (p["service"] or "-")
        assert row["command"] == p["command"]
        assert row["marks"] == p["marks"]
        assert row["signals"] == {k: v for k, v in p["signals"].items() if v}

    # The shape: grace at the top, then its children.
    assert order[0] == (1, 0)
    assert pids[1]["command"].startswith(GRACE)
    assert pids[1]["user"] == "root" and pids[1]["uid"] == 0
    depth = dict(order)
    assert pids[ev["main"].pid]["ppid"] == 1 and depth[ev["main"].pid] == 1
    assert pids[ev["worker"].pid]["ppid"] == ev["main"].pid
    assert depth[ev["worker"].pid] == 2
    assert pids[ev["leaf"].pid]["ppid"] == ev["worker"].pid
    assert depth[ev["leaf"].pid] == 3
    assert pids[ev["esc"].pid]["ppid"] == ev["main"].pid
    assert pids[ev["main"].pid]["command"].startswith(helper("actor") + " main [")

    # grace puts main in a group of its own; esc left for a session.
    assert pids[ev["main"].pid]["marks"] == ["own group"]
    assert pids[ev["worker"].pid]["marks"] == []
    assert pids[ev["esc"].pid]["marks"] == ["own session"]
    assert pids[ev["esc"].pid]["sid"] == ev["esc"].pid
    daemon = run.log.first("web", "daemon-start")
    assert pids[daemon.pid]["ppid"] == 1      # an orphan, grace's now
    assert pids[daemon.pid]["marks"] == ["own session"]

    # The zombie, held by the sleep the holder's shell became.
    zombies = [p for p in processes if p["state"] == "Z"]
    assert len(zombies) == 1, zombies
    zombie = zombies[0]
    assert zombie["marks"] == ["zombie"]
    assert zombie["command"] == "[true]"
    holder = pids[zombie["ppid"]]
    assert holder["command"] == "/bin/sleep 1000" and holder["ppid"] == 1

    # The service each belongs to, as grace tells it: the holder's zombie
    # under its parent's; the main command's tree and the visitor none.
    assert holder["service"] == "holder" and zombie["service"] == "holder"
    for name in ("main", "worker", "leaf", "esc", "visitor"):
        assert pids[ev[name].pid]["service"] is None, name

    # The visitor, entered from outside: no parent in the namespace.
    visitor = pids[ev["visitor"].pid]
    assert visitor["ppid"] == 0 and ev["visitor"].fields["ppid"] == "0"
    assert visitor["marks"] == ["entered from outside"]
    assert depth[visitor["pid"]] == 0

    # grace blocks SIGTERM and reads it: `kill 1` works.
    assert TERM_IGNORED not in text
    assert all(TERM_IGNORED not in p["marks"] for p in processes)
    assert "SIGTERM" in pids[1]["signals"]["blocked"]

    # The masks, as the helpers report them about themselves at start.
    # The helpers wait in sigtimedwait() for the signals they handle, and
    # while a thread waits there the kernel takes those out of its blocked
    # mask: /proc shows the mask each was born with.
    for name in ("web", "leaf", "visitor"):
        p = pids[ev[name].pid]
        assert p["signals"]["ignored"] == signal_names(ev[name].fields["sigign"])
        assert p["signals"]["blocked"] == signal_names(ev[name].fields["sigblk"])
        assert p["signals"]["caught"] == [] and p["signals"]["pending"] == []
    # What the test's launcher ignores, and whatever ran the tests did.
    assert "SIGUSR2" in pids[ev["web"].pid]["signals"]["ignored"]
    assert "SIGHUP" in visitor["signals"]["ignored"]
    assert "SIGUSR1" in visitor["signals"]["blocked"]

    # A blocked signal the visitor does not wait for stays pending (for
    # the process: ShdPnd; SigPnd is the thread's).
    run.kill_helper(visitor["pid"], signal.SIGUSR1)
    host_visitor = run.host_pid_of(visitor["pid"])
    pending = wait_until(lambda: int(proc_field(host_visitor, "ShdPnd"), 16),
                         what="SIGUSR1 pending")
    assert signal_names(f"{pending:x}") == ["SIGUSR1"]
    visitor = by_pid(json.loads(gracectl_ps(run, gracectl, "--json"))
                     ["processes"])[visitor["pid"]]
    assert visitor["signals"]["pending"] == ["SIGUSR1"]
    assert "      pending: SIGUSR1\n" in gracectl_ps(run, gracectl)


def wait_for_exec(run, cmdline):
    """Waits until the namespace's PID 1, started through setsid, has
    exec'd the command line CMDLINE (as /proc/PID/cmdline holds it)."""
    def execd():
        try:
            with open(f"/proc/{run.host_pid}/cmdline", "rb") as f:
                return f.read() == cmdline
        except FileNotFoundError:
            return False
    wait_until(execd, what="PID 1's exec")


def test_ps_without_a_term_handler(start, gracectl):
    """sleep as PID 1 has no SIGTERM handler and blocks nothing: the kernel
    drops the SIGTERM of `kill 1` from inside, and gracectl says so."""
    run = start(["sleep", "1000"], init="none")
    wait_for_exec(run, b"sleep\x001000\x00")
    text = gracectl_ps(run, gracectl)
    print(text)
    rows = parse_text(text)
    assert rows[0]["pid"] == 1 and rows[0]["command"] == "sleep 1000"
    assert rows[0]["marks"] == [TERM_IGNORED]
    listing = json.loads(gracectl_ps(run, gracectl, "--json"))
    assert listing["processes"][0]["marks"] == [TERM_IGNORED]
    # gracectl itself, entered by nsenter, is the other process.
    assert [p["marks"] for p in listing["processes"][1:]] == \
        [["entered from outside"]]
    # And it is true: `kill 1` from inside does nothing.
    run.inside(["kill", "-TERM", "1"])
    assert not run.exited.wait(0.2) and run.running()


def test_ps_with_a_term_handler(start, gracectl):
    """A shell that traps SIGTERM as PID 1: a handler (SigCgt), so `kill 1`
    reaches it, and there is no mark."""
    script = "trap 'exit 7' TERM; while :; do sleep 0.05; done"
    run = start(["/bin/sh", "-c", script], init="none")
    wait_for_exec(run, f"/bin/sh\0-c\0{script}\0".encode())
    wait_until(lambda: "SIGTERM" in json.loads(gracectl_ps(
        run, gracectl, "--json"))["processes"][0]["signals"]["caught"],
        what="the shell's trap")
    listing = json.loads(gracectl_ps(run, gracectl, "--json"))
    assert listing["processes"][0]["marks"] == []
    assert TERM_IGNORED not in gracectl_ps(run, gracectl)
    run.inside(["kill", "-TERM", "1"])
    assert run.wait() == 7


def test_ps_under_a_grace_that_is_not_pid1(start, workdir, gracectl):
    """grace as a plain process (a subreaper): gracectl, run below it,
    shows grace's tree and nothing else of the host."""
    out = workdir / "ps.json"
    script = f"{gracectl} ps --json > {out}.part && mv {out}.part {out}; " \
             "exec sleep 1000"
    run = start_grace(start, main=["/bin/sh", "-c", script], mode="plain")
    wait_until(out.exists, what="gracectl's output")
    processes = json.loads(out.read_text())["processes"]
    assert processes[0]["pid"] == run.host_pid
    assert processes[0]["command"].startswith(GRACE)
    pids = {p["pid"] for p in processes}
    assert all(p["ppid"] in pids for p in processes[1:])
    assert [p["pid"] for p in processes] == \
        [pid for pid, _ in tree_order(processes)]
    assert os.getpid() not in pids


def test_exit_codes(gracectl, workdir):
    """0 ok, 2 usage, 3 a request with no grace to answer it."""
    def run(*args):
        return subprocess.run([gracectl, *args], capture_output=True,
                              text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)

    done = run("--help")
    assert done.returncode == 0 and "ps [--json]" in done.stdout
    assert run().returncode == 2
    done = run("frobnicate")
    assert done.returncode == 2
    assert "gracectl: unknown command: 'frobnicate'" in done.stderr
    assert run("ps", "--yaml").returncode == 2
    nowhere = str(workdir / "no-grace")
    for command in ("status", "health"):
        done = run("--control", nowhere, command)
        assert done.returncode == 3
        assert done.stderr == (f"gracectl: cannot reach grace at {nowhere}: "
                               "No such file or directory\n")
