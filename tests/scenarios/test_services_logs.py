# SPDX-License-Identifier: MIT
"""Services' output, relayed by grace: each service's stdout and stderr are
pipes grace holds (one pair per service, kept across restarts), and each
line comes out as `NAME | line` on grace's stdout or stderr, the names
padded to the longest relayed one, or with --log-format json as one object
per line: {"time":..., "service":..., "stream":..., "line":...} and
"partial":true for a line cut before its newline.  StandardOutput=inherit
services and the main command (unless --log-main) are passed through as
they are; so is single-command mode.

The chatter helper (tests/helpers/chatter.c) writes the output: numbered
lines "NAME out|err PID SEQ [pattern]" that the test rebuilds exactly, long
lines, unfinished lines and raw bytes, and logs each step with the time it
began (at=, real=).  grace's stdout and stderr are files, or pipes the test
reads (start(pipes=True)), one of them left unread for a while to stall
grace (stalled=).

Timings come from the events; waits are bounded by deadlines and never
pace a test."""

import dataclasses
import datetime
import fcntl
import json
import os
import re
import string
import struct
import termios
import time

import pytest

from conftest import (GRACE, PLACES, SLOW, TIMEOUT, VALGRIND, helper,
                      skip_under_valgrind, wait_until)
from services import (TOL, error_line, event, events, start_grace, stop,
                      svc, wait_reaped, write_unit)

FORMATS = ("plain", "json")

# chatter's pattern: byte i is ALPHABET[i % 62].
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase

# grace cuts a line longer than this into pieces of this size.
PIECE = 65536

HINT = "Try 'grace --help' for more information."

F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)

TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
JSON_KEYS = {"time", "service", "stream", "line", "partial"}
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def chatter(name, *args):
    """The command line of the chatter helper playing NAME."""
    return [helper("chatter"), name, *map(str, args)]


def pattern(n):
    """N bytes of chatter's pattern, as text."""
    return (ALPHABET * (n // len(ALPHABET) + 1))[:n]


def numbered(name, stream, pid, seq, width=0):
    """Numbered line SEQ of chatter NAME (process PID) on STREAM ("out",
    "err"), without its newline."""
    head = f"{name} {stream} {pid} {seq:06d}"
    if width > len(head):
        head += " " + pattern(width - len(head) - 1)
    return head


def numbered_run(lines_event, name, width=0, stream="out", both=False):
    """The numbered lines a "lines" event of chatter NAME says were written
    on STREAM, in order; BOTH: written with --stream both, which sends the
    odd numbers to "out" and the even ones to "err"."""
    first, last = int(lines_event.fields["first"]), int(lines_event.fields["last"])
    parity = 1 if stream == "out" else 0
    return [numbered(name, stream, lines_event.pid, seq, width)
            for seq in range(first, last + 1)
            if not both or seq % 2 == parity]


def format_options(fmt):
    """grace's options for FMT: plain is the default, given as nothing."""
    return [] if fmt == "plain" else ["--log-format", fmt]


def json_time(text):
    """A json record's "time" as seconds since the epoch."""
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def first_difference(got, want):
    """The first index where two sequences differ (the shorter length when
    one is the start of the other), or None."""
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return i
    return None if len(got) == len(want) else min(len(got), len(want))


def clip(value, room=200):
    text = repr(value)
    return text if len(text) <= room else text[:room] + f"... ({len(value)} long)"


def same(got, want, what):
    """GOT == WANT, told briefly: where they first differ (a full diff of a
    hundred thousand lines, or of ten megabytes, helps nobody)."""
    i = first_difference(got, want)
    if i is None:
        return
    raise AssertionError(
        f"{what}: {len(got)} items, want {len(want)}; first difference at "
        f"{i}: got {clip(got[i]) if i < len(got) else '(nothing)'}, want "
        f"{clip(want[i]) if i < len(want) else '(nothing)'}")


@dataclasses.dataclass
class Record:
    """One line of grace's output: a service's line relayed, one of grace's
    own messages (service "grace"), or a line passed through as it is
    (service None)."""

    service: str
    stream: str  # the descriptor it came on: "stdout", "stderr"
    line: str
    partial: bool = False
    time: str = None


class Output:
    """grace's stdout and stderr as FMT lays them out, NAMES being the
    relayed services (in plain, padded to the longest); TIMESTAMPS: plain
    lines start with the time (--log-time).  Every line ends with a
    newline; what follows the last one (a line grace is still writing) is
    in tail."""

    def __init__(self, run, fmt, names, timestamps=False):
        self.fmt = fmt
        self.records = []
        self.tail = {}
        width = max(map(len, names)) if names else 0
        self.prefixes = [(f"{name.ljust(width)} | ", name) for name in names]
        self.timestamps = timestamps
        for stream, path in (("stdout", run.stdout_path),
                             ("stderr", run.stderr_path)):
            data = path.read_bytes()
            if fmt == "json":
                try:
                    text = data.decode()
                except UnicodeDecodeError as e:
                    raise AssertionError(f"grace's {stream} is no UTF-8: {e}: "
                                         f"{clip(data[max(0, e.start - 40):e.end + 40])}")
            else:
                text = data.decode(errors="replace")
            *lines, self.tail[stream] = text.split("\n")
            parse = self.parse_json if fmt == "json" else self.parse_plain
            self.records += [parse(line, stream) for line in lines]

    def parse_plain(self, line, stream):
        rest, stamp = line, None
        if self.timestamps:
            match = TIME_RE.match(line)
            if match and line[match.end():match.end() + 1] == " ":
                stamp, rest = match.group(0), line[match.end() + 1:]
        if stream == "stderr" and rest.startswith("grace: "):
            return Record("grace", stream, rest[len("grace: "):], time=stamp)
        for prefix, name in self.prefixes:
            if rest.startswith(prefix):
                if self.timestamps:
                    assert stamp is not None, f"no time before {line!r}"
                return Record(name, stream, rest[len(prefix):], time=stamp)
        return Record(None, stream, line)

    def parse_json(self, line, stream):
        if not line.startswith("{"):
            return Record(None, stream, line)
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise AssertionError(f"not JSON on grace's {stream}: {e}: {clip(line)}")
        assert isinstance(obj, dict), line
        assert JSON_KEYS >= set(obj) >= JSON_KEYS - {"partial"}, \
            f"keys {sorted(obj)}: {clip(line)}"
        assert not re.search(r"\s", STRING_RE.sub('""', line)), \
            f"not compact: {clip(line)}"
        assert TIME_RE.fullmatch(obj["time"]), f"time {obj['time']!r}"
        assert obj["stream"] == stream, \
            f"a {obj['stream']} line on grace's {stream}: {clip(line)}"
        assert obj.get("partial", True) is True, f"partial: {clip(line)}"
        assert isinstance(obj["service"], str) and isinstance(obj["line"], str)
        return Record(obj["service"], stream, obj["line"],
                      obj.get("partial", False), obj["time"])

    def of(self, name, stream):
        """The records of service NAME on STREAM, in order."""
        return [r for r in self.records if r.service == name and r.stream == stream]

    def lines(self, name, stream):
        return [r.line for r in self.of(name, stream)]

    def passed(self, stream):
        """The lines of STREAM that no prefix claims: passed through."""
        return self.lines(None, stream)

    def grace(self):
        return self.of("grace", "stderr")

    def whole(self):
        """Checks that grace left no line cut short at its end."""
        for stream, tail in self.tail.items():
            assert tail == "", f"grace's {stream} ends in a cut line: {clip(tail)}"
        return self

    def all_relayed(self, stream):
        """Checks that every line of STREAM is relayed (or grace's own):
        a line passed through as it is would be a service's, unprefixed."""
        passed = self.passed(stream)
        if passed:
            raise AssertionError(f"{len(passed)} lines of grace's {stream} "
                                 f"are not relayed ({self.fmt}), the first "
                                 f"{clip(passed[0])}")


def until(run, cond, what, timeout=TIMEOUT):
    """Waits for COND; fails at once, saying why, when grace has exited
    first (an option it does not know, say)."""
    def check():
        value = cond()
        if value:
            return value
        if run.exited.is_set():
            # One more look: it may have come just before the exit.
            value = cond()
            if value:
                return value
            raise AssertionError(f"grace exited ({run.proc.poll()}) before "
                                 f"{what}; its stderr:\n{run.stderr()[-2000:]}")
        return None
    try:
        return wait_until(check, timeout, what)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{run.log.dump()[-3000:]}") from None


def wait_event(run, name, kind, count=1, timeout=TIMEOUT):
    """Waits for COUNT events KIND of NAME; returns them all."""
    until(run, lambda: len(run.log.of(name, kind)) >= count,
          f"{count} {kind} events of {name}", timeout)
    return run.log.of(name, kind)


def stop_and_wait(run, code=0, timeout=TIMEOUT):
    """Stops the container and checks grace's status."""
    stop(run)
    assert run.wait(timeout) == code, f"grace exited {run.exit_code}"
    run.drained()


def relayed_fds(run, name):
    """NAME's stdout and stderr (from its start events): pipes, a pair of
    its own, the same for every run; returns the pair."""
    starts = events(run, name, "start")
    assert starts, f"{name} never started"
    pairs = {(e.fields["stdout"], e.fields["stderr"]) for e in starts}
    assert len(pairs) == 1, f"{name}'s descriptors changed across runs: {pairs}"
    out, err = pairs.pop()
    assert out.startswith("pipe:") and err.startswith("pipe:"), (name, out, err)
    assert out != err, f"{name}'s stdout and stderr are one pipe: {out}"
    return out, err


def passed_through_fds(run, name):
    """NAME writes on grace's own stdout and stderr."""
    start_event = run.log.first(name, "start")
    assert start_event.fields["stdout"] == str(run.stdout_path), start_event.line
    assert start_event.fields["stderr"] == str(run.stderr_path), start_event.line


# --- lines, many and long ------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_interleaved_lines_at_full_speed(start, workdir, fmt):
    """Two services, "a" and "felix", each writing 100,000 numbered lines
    as fast as they can, alternately on stdout and stderr: every line
    arrives whole, once, in order, with its service's name (in plain,
    "a     | " and "felix | ": padded to the longest name), stdout lines
    on grace's stdout and stderr lines on its stderr."""
    skip_under_valgrind("millions of bytes through memcheck")
    count, width = 100_000, 60
    units = workdir / "units"
    for name in ("a", "felix"):
        write_unit(units, name, chatter(name, "--stream", "both", "--width",
                                        width, "--lines", count, "--hold"))
    run = start_grace(start, units, options=format_options(fmt))
    done = {name: wait_event(run, name, "lines", timeout=20 * SLOW)[0]
            for name in ("a", "felix")}
    stop_and_wait(run)
    out = Output(run, fmt, ["a", "felix"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    for name, lines in done.items():
        assert int(lines.fields["count"]) == count, lines.line
        for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
            same(out.lines(name, descriptor),
                 numbered_run(lines, name, width, stream, both=True),
                 f"{name}'s lines on grace's {descriptor}")
            assert not any(r.partial for r in out.of(name, descriptor))
    assert relayed_fds(run, "a") != relayed_fds(run, "felix")


@pytest.mark.parametrize("fmt", FORMATS)
def test_ten_megabyte_line(start, workdir, fmt):
    """One line of 10,000,000 bytes arrives as pieces of 65536 bytes, each
    with the service's name (in json each but the last "partial"), whose
    concatenation is the line; the line after it is whole again."""
    skip_under_valgrind("ten megabytes through memcheck")
    size = 10_000_000
    units = workdir / "units"
    write_unit(units, "big", chatter("big", "--big", size, "--line", "after",
                                     "--hold"))
    run = start_grace(start, units, options=format_options(fmt))
    wait_event(run, "big", "line", timeout=10 * SLOW)
    stop_and_wait(run)
    out = Output(run, fmt, ["big"]).whole()
    out.all_relayed("stdout")
    records = out.of("big", "stdout")
    assert records and records[-1].line == "after", \
        f"the last line is {clip(records[-1].line) if records else None}"
    pieces = records[:-1]
    sizes = [len(r.line) for r in pieces]
    whole, rest = divmod(size, PIECE)
    same(sizes, [PIECE] * whole + [rest], "the sizes of the pieces")
    same("".join(r.line for r in pieces), pattern(size),
         "the pieces put together")
    if fmt == "json":
        assert all(r.partial for r in pieces[:-1]), "a piece not marked partial"
        assert not records[-1].partial


# --- partial lines -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_partial_line_at_exit(start, workdir, fmt):
    """A service writes a line without its newline and exits, again and
    again (Restart=always, RestartSec=20ms, less than the 100 ms a partial
    line may wait): each run's text arrives as a line of its own, flushed
    when the process exited, never glued to the next run's; in json marked
    "partial"."""
    text = "no newline before the exit"
    units = workdir / "units"
    write_unit(units, "tail", chatter("tail", "--partial", text),
               Restart="always", RestartSec="20ms", StartLimitBurst=0)
    run = start_grace(start, units, options=format_options(fmt))
    wait_event(run, "tail", "exit", count=4)
    stop_and_wait(run)
    out = Output(run, fmt, ["tail"]).whole()
    out.all_relayed("stdout")
    written = len(events(run, "tail", "partial"))
    same(out.lines("tail", "stdout"), [text] * written, "tail's lines")
    if fmt == "json":
        assert all(r.partial for r in out.of("tail", "stdout"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_partial_line_held_open(start, workdir, fmt):
    """A prompt without a newline, its process still running: it arrives
    about 100 ms after it was written (bounded here only by 2 s), once;
    a line finished within 50 ms of its start stays one line."""
    units = workdir / "units"
    write_unit(units, "prompt", chatter("prompt", "--partial", "head-",
                                        "--sleep", 20, "--line", "tail",
                                        "--partial", "password: ", "--hold"))
    run = start_grace(start, units, options=format_options(fmt))
    head, held = wait_event(run, "prompt", "partial", count=2)

    def arrived():
        out = Output(run, fmt, ["prompt"])
        # Passed through unprefixed, it would stay a cut line.
        return ("password: " in out.lines("prompt", "stdout")
                or out.tail["stdout"].endswith("password: ")) and out
    out = until(run, arrived, "the prompt", timeout=2.0 * SLOW)
    seen = time.monotonic()
    out.all_relayed("stdout")
    assert "password: " in out.lines("prompt", "stdout"), \
        f"the prompt is not out as a line: {out.tail['stdout']!r}"
    assert seen - float(held.fields["at"]) < 2.0 * SLOW
    # It came out of the timer, not the process's end.
    assert run.log.first("prompt", "term") is None
    assert run.log.first("prompt", "exit") is None
    if fmt == "json":
        record = out.of("prompt", "stdout")[-1]
        assert record.partial, record
        delay = json_time(record.time) - float(held.fields["real"])
        assert -0.002 <= delay < 2.0 * SLOW, f"stamped {delay:.3f}s after the write"
    stop_and_wait(run)
    out = Output(run, fmt, ["prompt"]).whole()
    out.all_relayed("stdout")
    lines = out.lines("prompt", "stdout")
    assert lines[-1] == "password: " and lines.count("password: ") == 1, lines
    assert "".join(lines[:-1]) == "head-tail", lines
    tail = run.log.first("prompt", "line")
    if tail.t - float(head.fields["at"]) < 0.05 and not VALGRIND:
        assert lines[:-1] == ["head-tail"], \
            f"a line finished {tail.t - float(head.fields['at']):.3f}s after " \
            f"it began was cut: {lines}"


# --- processes come and go -----------------------------------------------


def test_grandchild_after_its_parent(start, workdir):
    """A service's main process exits (Essential=no) leaving a child that
    writes once its parent has exited and been reaped: the child's lines
    are relayed with the service's name."""
    units = workdir / "units"
    write_unit(units, "parent", chatter("parent", "--line", "from the parent",
                                        "--grandchild", "--lines", 3),
               Essential=False)
    write_unit(units, "keeper", chatter("keeper", "--hold"))
    run = start_grace(start, units)
    kid = wait_event(run, "parent-kid", "lines")[0]
    last = numbered_run(kid, "parent")[-1]
    until(run, lambda: last in run.stdout(), "the grandchild's last line")
    stop_and_wait(run)
    orphaned = run.log.first("parent-kid", "orphaned")
    assert orphaned.fields["ppid"] == str(run.init_pid_inside()), orphaned.line
    assert float(kid.fields["at"]) > run.log.first("parent", "exit").t
    out = Output(run, "plain", ["keeper", "parent"]).whole()
    out.all_relayed("stdout")
    same(out.lines("parent", "stdout"),
         ["from the parent"] + numbered_run(kid, "parent"), "parent's lines")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_across_restarts(start, workdir, fmt):
    """A service that writes 50 lines on each stream and exits 0, restarted
    every 50 ms: the lines of every run arrive, in order, and every run
    wrote into the same pair of pipes."""
    units = workdir / "units"
    write_unit(units, "hop", chatter("hop", "--stream", "both", "--lines", 50),
               Restart="always", RestartSec="50ms", StartLimitBurst=0)
    run = start_grace(start, units, options=format_options(fmt))
    wait_event(run, "hop", "exit", count=4)
    stop_and_wait(run)
    out = Output(run, fmt, ["hop"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    runs = events(run, "hop", "lines")
    assert len(runs) >= 4
    for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
        want = [line for lines in runs
                for line in numbered_run(lines, "hop", 0, stream, both=True)]
        same(out.lines("hop", descriptor), want, f"hop's lines on {descriptor}")
    relayed_fds(run, "hop")


@pytest.mark.parametrize("buffer, stall_hops, count", [
    (None, 9, 20_000), ("1M", 3, 40_000)], ids=["64K", "1M"])
def test_stalled_reader_loses_nothing(start, workdir, buffer, stall_hops, count):
    """grace's stdout is a pipe nobody reads while "flood" writes 2 MB
    (4 MB with --log-buffer 1M): grace keeps what fits in its buffer, then
    stops reading flood, which blocks in write(2).  Meanwhile grace
    restarts "hop" every 250 ms (nine times, over 2 s, with the default
    buffer), takes a SIGTERM and stops flood (its "term" event), and waits.
    Once the test reads again, every line flood and hop wrote arrives,
    whole and in order, and grace exits 0 once its output is drained.
    What flood could write while nobody read is bounded by the pipes, the
    buffer and a read and a line of 64 KiB; with 1M it is more than 512K."""
    width = 100
    limit = 1 << 20 if buffer == "1M" else 1 << 16
    units = workdir / "units"
    write_unit(units, "flood", chatter("flood", "--width", width, "--lines",
                                       count, "--hold"))
    write_unit(units, "hop", chatter("hop", "--lines", 1), Restart="always",
               RestartSec="250ms", StartLimitBurst=0)
    options = ["--log-buffer", buffer] if buffer else []
    run = start_grace(start, units, options=options, pipes=True,
                      stalled=("stdout",))
    wait_event(run, "hop", "exit", count=stall_hops,
               timeout=TIMEOUT + 3.0 * SLOW)
    assert run.log.first("flood", "lines") is None, \
        f"flood wrote {count * (width + 1)} bytes into a pipe nobody reads"
    stop(run)
    term = run.log.wait_for("flood", "term")
    assert term.fields["from"] == str(run.init_pid_inside()), term.line
    flood = run.log.first("flood", "lines")
    wait_reaped(run, flood.pid)
    assert run.running(), "grace exited before its output was read"
    ours = fcntl.fcntl(run.readers["stdout"].pipe.fileno(), F_GETPIPE_SZ)
    theirs = int(run.log.first("flood", "start").fields["outsz"])
    run.resume("stdout")
    assert run.wait() == 0
    run.drained()
    out = Output(run, "plain", ["flood", "hop"]).whole()
    out.all_relayed("stdout")
    written = int(flood.fields["count"])
    assert written < count, "flood was never held back"
    held = written * (width + 1)
    bound = ours + theirs + limit + 2 * PIECE + width + 1
    assert held <= bound, \
        f"flood wrote {held} bytes while nobody read, over {bound}"
    if buffer == "1M":
        assert held > limit // 2, f"flood wrote only {held} bytes"
    same(out.lines("flood", "stdout"), numbered_run(flood, "flood", width),
         "flood's lines")
    same(out.lines("hop", "stdout"),
         [line for lines in events(run, "hop", "lines")
          for line in numbered_run(lines, "hop")], "hop's lines")


# --- what a line may hold -------------------------------------------------

RAW_LINES = [
    b"tab\there", b"escape \x1b[31mred\x1b[0m", b"nul \x00 byte",
    b"controls \x01\x02\x1f delete \x7f", b"carriage \r return",
    b'quote " backslash \\ slash /',
    b"euro \xe2\x82\xac snowman \xe2\x98\x83 face \xf0\x9f\x98\x80",
    b"lone \xff byte", b"continuation \x80 alone", b"overlong \xc0\xaf",
    b"surrogate \xed\xa0\x80", b"past U+10FFFF \xf4\x90\x80\x80",
    b"cut short \xe2\x82",
]


def collapse(text):
    """TEXT with each run of U+FFFD as one: decoders differ in how many
    they make of a sequence cut short."""
    return re.sub("\ufffd+", "\ufffd", text)


def test_json_escapes_every_byte(start, workdir):
    """In json every line is valid JSON in valid UTF-8 whatever the service
    wrote: control characters (NUL, ESC, CR, DEL) come back as they were,
    invalid UTF-8 (stray bytes, overlong forms, surrogates, sequences cut
    short) as U+FFFD."""
    units = workdir / "units"
    raws = [word for raw in RAW_LINES for word in ("--raw", raw.hex())]
    write_unit(units, "raw", chatter("raw", *raws, "--hold"))
    run = start_grace(start, units, options=format_options("json"))
    wait_event(run, "raw", "raw", count=len(RAW_LINES))
    stop_and_wait(run)
    out = Output(run, "json", ["raw"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    got = out.lines("raw", "stdout")
    assert len(got) == len(RAW_LINES), got
    for line, raw in zip(got, RAW_LINES):
        line.encode()  # no lone surrogate
        assert collapse(line) == collapse(raw.decode(errors="replace")), \
            f"{raw!r} came out as {line!r}"


# --- passed through, not relayed -----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_inherit_passes_output_through(start, workdir, fmt):
    """StandardOutput=inherit: the service writes on grace's own stdout and
    stderr, unprefixed (not JSON either); StandardOutput=journal, the
    default, is relayed, padded only to the relayed names."""
    units = workdir / "units"
    for name, how in (("loud", "journal"), ("passthrough", "inherit")):
        write_unit(units, name, chatter(name, "--stream", "both", "--lines", 4,
                                        "--hold"), StandardOutput=how)
    run = start_grace(start, units, options=format_options(fmt))
    loud = wait_event(run, "loud", "lines")[0]
    through = wait_event(run, "passthrough", "lines")[0]
    stop_and_wait(run)
    out = Output(run, fmt, ["loud"]).whole()
    for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
        same(out.passed(descriptor),
             numbered_run(through, "passthrough", 0, stream, both=True),
             f"unprefixed {descriptor}")
        same(out.lines("loud", descriptor),
             numbered_run(loud, "loud", 0, stream, both=True),
             f"loud's {descriptor}")
    passed_through_fds(run, "passthrough")
    relayed_fds(run, "loud")


def test_closed_stdout_keeps_stderr(start, workdir):
    """A service that closes its stdout still has its stderr relayed,
    every line of it, written after the close."""
    units = workdir / "units"
    write_unit(units, "half", chatter("half", "--line", "before closing",
                                      "--close-stdout", "--stream", "err",
                                      "--interval", 20, "--lines", 10, "--hold"))
    run = start_grace(start, units)
    lines = wait_event(run, "half", "lines")[0]
    stop_and_wait(run)
    out = Output(run, "plain", ["half"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    same(out.lines("half", "stdout"), ["before closing"], "half's stdout")
    same(out.lines("half", "stderr"), numbered_run(lines, "half", stream="err"),
         "half's stderr")


@pytest.mark.parametrize("log_main", [True, False], ids=["log-main", "no-log-main"])
def test_main_command_output(start, workdir, log_main):
    """The main command (/.../bin/app) is passed through unprefixed; with
    --log-main it is relayed like a service, named "app", its basename."""
    app = workdir / "bin" / "app"
    app.parent.mkdir(mode=0o755)
    app.symlink_to(helper("chatter"))
    units = workdir / "units"
    # Ready once its line is out: the main command, and so the stop, after.
    up = workdir / "web.up"
    write_unit(units, "web", chatter("web", "--line", "web is up", "--touch",
                                     up, "--hold"),
               ReadyCheck=f"file:{up}", ReadyCheckIntervalSec="50ms")
    main = [app, "app", "--stream", "both", "--lines", 4]
    run = start_grace(start, units, main=main,
                      options=["--log-main"] if log_main else [])
    assert run.wait() == 0
    lines = run.log.first("app", "lines")
    assert lines is not None, run.log.dump()
    names = ["web", "app"] if log_main else ["web"]
    out = Output(run, "plain", names).whole()
    same(out.lines("web", "stdout"), ["web is up"], "web's lines")
    if log_main:
        out.all_relayed("stdout")
        out.all_relayed("stderr")
        relayed_fds(run, "app")
    else:
        passed_through_fds(run, "app")
    for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
        got = out.lines("app", descriptor) if log_main else out.passed(descriptor)
        same(got, numbered_run(lines, "app", 0, stream, both=True),
             f"app's {descriptor}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_single_command_passes_output_through(start, fmt):
    """grace -- COMMAND: no services, nothing relayed, whatever the format:
    the command writes on grace's own descriptors."""
    run = start(chatter("solo", "--stream", "both", "--lines", 4),
                init="grace", init_argv=[GRACE, *format_options(fmt), "--"])
    assert run.wait() == 0
    lines = run.log.first("solo", "lines")
    out = Output(run, fmt, []).whole()
    for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
        same(out.passed(descriptor),
             numbered_run(lines, "solo", 0, stream, both=True), descriptor)
    passed_through_fds(run, "solo")


# --- grace's own lines, and its options ----------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode, runtime", PLACES)
def test_grace_messages_among_relayed_lines(start, workdir, mode, runtime, fmt):
    """With -v, grace's own messages share its stderr with the services'
    stderr lines: in plain each starts "grace: " and each service line
    "felix | "; in json every line of both descriptors is an object,
    grace's with service "grace" and stream "stderr"."""
    units = workdir / "units"
    write_unit(units, "felix", chatter("felix", "--line", "to stdout",
                                       "--stream", "err", "--line", "to stderr",
                                       "--hold"))
    run = start_grace(start, units, options=format_options(fmt), mode=mode,
                      runtime=runtime)
    wait_event(run, "felix", "line", count=2)
    stop_and_wait(run)
    out = Output(run, fmt, ["felix"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    same(out.lines("felix", "stdout"), ["to stdout"], "felix's stdout")
    same(out.lines("felix", "stderr"), ["to stderr"], "felix's stderr")
    mine = out.grace()
    assert mine, "-v said nothing"
    assert out.of("grace", "stdout") == [], "grace's messages on its stdout"
    assert any("felix" in r.line for r in mine), [r.line for r in mine]
    if fmt == "json":
        assert all(r.time for r in mine)


def test_log_time(start, workdir):
    """--log-time: each plain line starts with the time it was relayed,
    RFC 3339 UTC with milliseconds."""
    units = workdir / "units"
    write_unit(units, "clock", chatter("clock", "--lines", 3, "--hold"))
    before = time.time()
    run = start_grace(start, units, options=["--log-time"])
    lines = wait_event(run, "clock", "lines")[0]
    stop_and_wait(run)
    after = time.time()
    out = Output(run, "plain", ["clock"], timestamps=True).whole()
    out.all_relayed("stdout")
    records = out.of("clock", "stdout")
    same([r.line for r in records], numbered_run(lines, "clock"), "clock's lines")
    for r in records:
        assert before - 1 <= json_time(r.time) <= after + 1, r.time


def test_log_format_from_the_environment(start, workdir):
    """GRACE_LOG_FORMAT=json does what --log-format json does."""
    units = workdir / "units"
    write_unit(units, "env", chatter("env", "--line", "hello", "--hold"))
    run = start_grace(start, units, env={"GRACE_LOG_FORMAT": "json"})
    wait_event(run, "env", "line")
    stop_and_wait(run)
    out = Output(run, "json", ["env"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    assert out.lines("env", "stdout") == ["hello"]


@pytest.mark.parametrize("options", [
    ["--log-format", "xml"], ["--log-format", ""], ["--log-buffer", "12Q"],
    ["--log-buffer", "-1"], ["--log-buffer", "K"],
], ids=lambda options: " ".join(options) or "empty")
def test_bad_log_options(start, workdir, options):
    """A bad --log-format or --log-buffer is a usage error, as in
    test_bad_input.py: 125, one line saying so and the hint, nothing
    started."""
    units = workdir / "units"
    write_unit(units, "idle", svc("idle"))
    run = start_grace(start, units, options=options, check=True, verbose=False)
    assert run.wait() == 125
    lines = run.stderr().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("grace: ") and lines[1] == HINT, lines
    assert run.log.events() == []


def test_good_log_options_check(start, workdir):
    """The log options, each in a form it takes, pass --check."""
    units = workdir / "units"
    write_unit(units, "idle", svc("idle"), StandardOutput="inherit")
    write_unit(units, "other", svc("other"), StandardOutput="journal")
    options = ["--log-format", "plain", "--log-time", "--log-buffer", "1M",
               "--log-buffer", "4096", "--log-buffer", "64K"]
    run = start_grace(start, units, options=options, check=True, verbose=False)
    assert run.wait() == 0, run.stderr()


def test_bad_standard_output(start, workdir):
    """StandardOutput= takes inherit or journal; anything else is an error
    naming the file and line."""
    units = workdir / "units"
    unit = write_unit(units, "odd", svc("odd"), StandardOutput="bogus")
    run = start_grace(start, units, check=True, verbose=False)
    assert run.wait() == 125
    path, line, problem = error_line(run)
    assert (path, line) == (str(unit), unit.line("StandardOutput")), problem


# --- side by side with supervisord ----------------------------------------

SUPERVISORD = "/usr/bin/supervisord"

SUPERVISORD_CONF = """\
[supervisord]
nodaemon=true
user=root
logfile={workdir}/supervisord.log
pidfile={workdir}/supervisord.pid
childlogdir={workdir}

[program:talker]
command={command}
autostart=true
autorestart=false
startsecs=0
stdout_logfile=/dev/stdout
stderr_logfile=/dev/stderr
"""


@pytest.mark.parametrize("maxbytes", [None, 0], ids=["default", "maxbytes-0"])
def test_supervisord_to_a_pipe(start, workdir, maxbytes):
    """supervisord (Debian 12's 4.2.5) sending a program's output to
    /dev/stdout, the usual container recipe: when its stdout is a pipe, as
    under `docker run` with a log driver reading it, its default
    stdout_logfile_maxbytes (50MB) has it ask the pipe where it stands
    after each write (RotatingFileHandler.doRollover: tell()), and every
    chunk of output logs "Illegal seek" as an uncaught exception.  Only
    stdout_logfile_maxbytes=0 (and the same for stderr) avoids it; the
    lines then come out as they are, with no name."""
    if not os.access(SUPERVISORD, os.X_OK):
        pytest.skip(f"{SUPERVISORD} is not installed (Debian package supervisor)")
    if os.getuid() != 0:
        pytest.skip("supervisord's user=root needs root")
    conf = workdir / "supervisord.conf"
    text = SUPERVISORD_CONF.format(
        workdir=workdir,
        command=" ".join(chatter("talker", "--stream", "both", "--lines", 4,
                                 "--hold")))
    if maxbytes is not None:
        text += f"stdout_logfile_maxbytes={maxbytes}\n" \
                f"stderr_logfile_maxbytes={maxbytes}\n"
    conf.write_text(text)
    run = start([], init="none", init_argv=[SUPERVISORD, "-n", "-c", str(conf)],
                pipes=True)
    lines = run.log.wait_for("talker", "lines", timeout=TIMEOUT + 2.0)
    log = workdir / "supervisord.log"
    if maxbytes is None:
        wait_until(lambda: log.exists() and "Illegal seek" in log.read_text(),
                   what="supervisord's Illegal seek")
    stop(run)
    assert run.wait() == 0
    run.drained()
    if maxbytes is None:
        assert "Illegal seek" in run.stdout(), "not on supervisord's stdout"
        return
    assert "Illegal seek" not in log.read_text()
    stdout = run.stdout().splitlines()
    assert [line for line in stdout if line.startswith("talker ")] == \
        numbered_run(lines, "talker", 0, "out", both=True)


def test_grace_to_a_pipe(start, workdir):
    """The same program under grace, its stdout a pipe: relayed with its
    name, nothing else said."""
    units = workdir / "units"
    write_unit(units, "talker", chatter("talker", "--stream", "both",
                                        "--lines", 4, "--hold"))
    run = start_grace(start, units, pipes=True, verbose=False)
    lines = wait_event(run, "talker", "lines")[0]
    stop_and_wait(run)
    out = Output(run, "plain", ["talker"]).whole()
    out.all_relayed("stdout")
    out.all_relayed("stderr")
    for stream, descriptor in (("out", "stdout"), ("err", "stderr")):
        same(out.lines("talker", descriptor),
             numbered_run(lines, "talker", 0, stream, both=True), descriptor)
    assert out.grace() == []


# --- found in review: the relay's sinks and its end -------------------------


def held_back(run, name, stream):
    """Whether grace's STREAM (stdout, stderr), a pipe the test has not
    read, is full and holds service NAME back: NAME waits in write(2) on
    its own pipe (grace reads it no more: its buffer is at its bound) and
    grace's pipe holds more than half its size (how full a pipe can get
    depends on the sizes of the writes that filled it)."""
    started = run.log.first(name, "start")
    if started is None:
        return False
    try:
        with open(f"/proc/{run.host_pid_of(started.pid)}/wchan") as f:
            waits = "pipe_write" in f.read()
    except (OSError, AssertionError):  # not (or no longer) there
        return False
    fd = run.readers[stream].pipe.fileno()
    held = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
    return waits and held > fcntl.fcntl(fd, F_GETPIPE_SZ) // 2


def test_one_pipe_for_stdout_and_stderr(start, workdir):
    """grace's stderr is its stdout (2>&1), one pipe, read 4 KiB a
    millisecond: "o" writes 20,000 lines on its stdout and "e" 20,000 on
    its stderr, both at full speed.  Every line arrives whole, in order,
    with its name: grace writes both descriptors as one, and no line is cut
    into by another where the pipe had room for only a part of it."""
    skip_under_valgrind("millions of bytes through memcheck")
    count, width = 20_000, 60
    units = workdir / "units"
    write_unit(units, "o", chatter("o", "--width", width, "--lines", count,
                                   "--hold"))
    write_unit(units, "e", chatter("e", "--stream", "err", "--width", width,
                                   "--lines", count, "--hold"))
    run = start_grace(start, units, pipes=True, joined=True,
                      paced={"stdout": (4096, 0.001)})
    done = {name: wait_event(run, name, "lines", timeout=20 * SLOW)[0]
            for name in ("o", "e")}
    stop_and_wait(run)
    out = Output(run, "plain", ["o", "e"]).whole()
    # -v: grace's own messages come on the same pipe.
    cut = [line for line in out.passed("stdout") if not line.startswith("grace: ")]
    assert not cut, f"{len(cut)} lines cut into by another, the first {clip(cut[0])}"
    for name, stream in (("o", "out"), ("e", "err")):
        assert int(done[name].fields["count"]) == count, done[name].line
        same(out.lines(name, "stdout"),
             numbered_run(done[name], name, width, stream), f"{name}'s lines")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("late", ["b", "a"], ids=["second", "first"])
def test_stop_reads_every_source_to_its_end(start, workdir, late, fmt):
    """Two services, "a" and "b": LATE's main process exits (Essential=no),
    leaving a child that on SIGTERM waits 300 ms, writes a line without its
    newline and exits, the last process of all; the other holds.  At the
    end grace reads every service's pipe to its end, the second's (by
    name) as well as the first's: the line arrives with LATE's name, once
    (in json, partial)."""
    text = "last words, no newline"
    other = "a" if late == "b" else "b"
    units = workdir / "units"
    write_unit(units, other, chatter(other, "--line", f"{other} is up",
                                     "--hold"))
    write_unit(units, late, chatter(late, "--grandchild", "--linger", "--hold",
                                    "--sleep", 300, "--partial", text),
               Essential=False)
    run = start_grace(start, units, options=format_options(fmt))
    wait_event(run, other, "line")
    wait_event(run, f"{late}-kid", "orphaned")
    stop_and_wait(run)
    term = event(run, f"{late}-kid", "term")
    assert term.fields["from"] == str(run.init_pid_inside()), term.line
    partial = event(run, f"{late}-kid", "partial")
    assert float(partial.fields["at"]) >= term.t + 0.3 - TOL, partial.line
    assert event(run, f"{late}-kid", "exit").t > event(run, other, "exit").t
    out = Output(run, fmt, ["a", "b"]).whole()
    out.all_relayed("stdout")
    same(out.lines(late, "stdout"), [text], f"{late}'s lines")
    same(out.lines(other, "stdout"), [f"{other} is up"], f"{other}'s lines")
    if fmt == "json":
        assert out.of(late, "stdout")[0].partial


def test_unread_stderr_does_not_hold_the_stop(start, workdir):
    """grace's stderr is a pipe nobody reads while "spew" floods its own
    stderr, and grace's fills; "calm"'s lines on stdout come out all the
    same.  At SIGTERM, with --grace 1, grace gives up on stderr's reader
    after a second and exits, well within 10 s: neither a service's lines
    nor its own last words (how many bytes it could not write) block it."""
    units = workdir / "units"
    write_unit(units, "spew", chatter("spew", "--stream", "err", "--lines",
                                      10_000_000, "--hold"))
    write_unit(units, "calm", chatter("calm", "--interval", 10, "--lines", 10,
                                      "--hold"))
    run = start_grace(start, units, options=["--grace", 1], pipes=True,
                      stalled=("stderr",))
    until(run, lambda: held_back(run, "spew", "stderr"),
          "spew held back by grace's full stderr")
    calm = wait_event(run, "calm", "lines")[0]
    last = numbered_run(calm, "calm")[-1]
    until(run, lambda: last in run.stdout(), "calm's last line")
    stop(run)
    assert run.wait(10.0 * SLOW) == 0, f"grace exited {run.exit_code}"
    assert run.log.first("spew", "term") is not None, run.log.dump()
    run.resume("stderr")
    run.drained()
    out = Output(run, "plain", ["calm", "spew"])
    # What stderr's reader never took is dropped: its last line may be cut.
    assert out.tail["stdout"] == "", f"stdout ends in a cut line: {clip(out.tail['stdout'])}"
    out.all_relayed("stdout")
    same(out.lines("calm", "stdout"), numbered_run(calm, "calm"), "calm's lines")


@pytest.mark.parametrize("shared", [False, True], ids=["alone", "shared"])
def test_stdout_nobody_may_reopen(start, workdir, shared):
    """grace runs as nobody; its stdout is a pipe the test made as root,
    which /proc/self/fd/1 does not let nobody open again, and which nobody
    reads while "yes" writes as fast as it can.  Once the pipe is full,
    SIGTERM stops grace all the same (--grace 1; well within 10 s): alone
    on the pipe, it made the descriptor non-blocking; shared with the main
    command, it writes only when poll() sees room, and says so with -v.
    What did arrive is yes's lines, in order."""
    if os.getuid() != 0:
        pytest.skip("the pipe must be root's, and grace nobody's")
    units = workdir / "units"
    write_unit(units, "yes", chatter("yes", "--lines", 10_000_000, "--hold"))
    main = chatter("main", "--hold") if shared else ()
    run = start_grace(start, units, main=main, options=["--grace", 1],
                      pipes=True, stalled=("stdout",), user="nobody")
    st = os.fstat(run.readers["stdout"].pipe.fileno())
    assert st.st_uid == 0 and st.st_mode & 0o077 == 0, oct(st.st_mode)
    until(run, lambda: held_back(run, "yes", "stdout"),
          "yes held back by grace's full stdout")
    yes = wait_event(run, "yes", "start")[0]
    stop(run)
    assert run.wait(10.0 * SLOW) == 0, f"grace exited {run.exit_code}"
    run.resume("stdout")
    run.drained()
    if shared:
        assert "descriptor 1 cannot be reopened" in run.stderr(), run.stderr()
    out = Output(run, "plain", ["yes"])
    got = out.lines("yes", "stdout")
    assert len(got) > 1000, f"only {len(got)} of yes's lines arrived"
    same(got, [numbered("yes", "out", yes.pid, seq)
               for seq in range(1, len(got) + 1)], "yes's lines")


def test_no_grace_still_flushes(start, workdir):
    """--grace 0: "burst" writes 20,000 lines and exits, and grace with it
    (it is essential), while a slow reader takes grace's stdout 4 KiB every
    2 ms: pipes and grace's buffer still hold a good part of them, and
    grace writes them all before it exits, since the reader keeps taking
    them (it gives up only after a second without)."""
    count = 20_000
    units = workdir / "units"
    write_unit(units, "burst", chatter("burst", "--lines", count))
    run = start_grace(start, units, options=["--grace", 0], pipes=True,
                      paced={"stdout": (4096, 0.002)})
    assert run.wait(TIMEOUT + 5.0 * SLOW) == 0, f"grace exited {run.exit_code}"
    run.drained()
    lines = event(run, "burst", "lines")
    assert int(lines.fields["count"]) == count, lines.line
    out = Output(run, "plain", ["burst"])
    same(out.lines("burst", "stdout"), numbered_run(lines, "burst"),
         "burst's lines")
    out.whole().all_relayed("stdout")
    assert "could not be written" not in run.stderr(), run.stderr()


@pytest.mark.parametrize("fmt", FORMATS)
def test_backpressure_never_splits_a_line(start, workdir, fmt):
    """"stdio" writes 400 lines of 1000 bytes in writes of 8 KiB, as a
    program's stdio buffer does (a write ends inside a line, whose rest
    comes with the next), to a reader that takes 64 KiB every 200 ms: grace
    holds the pipe again and again, each time longer than the 100 ms a
    partial line waits, with a line's start read and its rest in the pipe.
    No line is cut for that: each arrives whole, none partial in json."""
    count, width = 400, 1000
    units = workdir / "units"
    write_unit(units, "stdio", chatter("stdio", "--width", width, "--chunk",
                                       8192, "--lines", count, "--hold"))
    run = start_grace(start, units, options=format_options(fmt), pipes=True,
                      paced={"stdout": (1 << 16, 0.2)})
    lines = wait_event(run, "stdio", "lines")[0]
    stop_and_wait(run)
    out = Output(run, fmt, ["stdio"]).whole()
    out.all_relayed("stdout")
    records = out.of("stdio", "stdout")
    split = [r for r in records if r.partial or len(r.line) != width]
    assert not split, f"{len(split)} pieces of split lines, the first " \
        f"{clip(split[0].line)} ({len(split[0].line)} bytes)"
    same([r.line for r in records], numbered_run(lines, "stdio", width),
         "stdio's lines")


@pytest.mark.parametrize("fmt", FORMATS)
def test_line_in_two_writes_stays_whole(start, workdir, fmt):
    """"stdio" writes 300 lines of 1000 bytes in writes of 8 KiB about 8 ms
    apart (a line every millisecond), to a reader that takes everything at
    once: each line whose two parts came in two writes waited a few
    milliseconds for its newline, far from the 100 ms a partial line may
    wait, and arrives whole, none partial in json."""
    count, width = 300, 1000
    units = workdir / "units"
    write_unit(units, "stdio", chatter("stdio", "--width", width, "--chunk",
                                       8192, "--interval", 1, "--lines", count,
                                       "--hold"))
    run = start_grace(start, units, options=format_options(fmt))
    lines = wait_event(run, "stdio", "lines")[0]
    stop_and_wait(run)
    writes = count * (width + 1) / 8192
    gap = (lines.t - float(lines.fields["at"])) / writes
    if gap > 0.05:
        pytest.skip(f"the writes came {gap * 1000:.0f} ms apart: too slow to tell")
    out = Output(run, fmt, ["stdio"]).whole()
    out.all_relayed("stdout")
    records = out.of("stdio", "stdout")
    split = [r for r in records if r.partial or len(r.line) != width]
    assert not split, f"{len(split)} pieces of split lines, the first " \
        f"{clip(split[0].line)} ({len(split[0].line)} bytes)"
    same([r.line for r in records], numbered_run(lines, "stdio", width),
         "stdio's lines")
