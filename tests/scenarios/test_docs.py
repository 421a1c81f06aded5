# SPDX-License-Identifier: MIT
"""docs/kubernetes.md stays true to grace: its YAML and JSON blocks parse,
every grace option and gracectl command it names exists in `grace --help`
and `gracectl --help`, and its links lead somewhere.  No engine, no
namespace: a few `--help` runs and text."""

import json
import os
import re
import shlex
import subprocess

import pytest

from conftest import GRACE, REPO, SANITIZED, TIMEOUT, VALGRIND

pytestmark = pytest.mark.skipif(
    SANITIZED or VALGRIND,
    reason="the documentation is checked once, in the plain run")

DOC = REPO / "docs" / "kubernetes.md"
README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
# A code span may wrap onto the next line of its paragraph.
SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Where a shell line's command ends.
SHELL_OPS = {"|", "||", "&&", ";", "&", "do", "then", "while", "until"}


def blocks(text):
    """(language, body) of every fenced block."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def prose(text):
    """The text outside fenced blocks."""
    return FENCE.sub("", text)


def run_help(argv0_path):
    """The --help text of the binary at argv0_path (exit 0 required)."""
    r = subprocess.run([str(argv0_path), "--help"], capture_output=True,
                       text=True, timeout=TIMEOUT, check=False)
    assert r.returncode == 0, f"{argv0_path} --help: {r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def helps(tmp_path_factory):
    """grace's and gracectl's help texts; gracectl is grace started
    through a symlink of that name, as in an image."""
    ctl = tmp_path_factory.mktemp("docs") / "gracectl"
    os.symlink(os.path.abspath(GRACE), ctl)
    return {"grace": run_help(GRACE), "gracectl": run_help(ctl)}


def long_options(help_text):
    """{option: takes an argument} from a help text's option lines
    (`  -g, --group   text`, `      --grace SECONDS   text`)."""
    opts = {}
    for m in re.finditer(r"^ +(?:-\w, )?(--[a-z][a-z-]*)( \S)?", help_text,
                         re.M):
        opts[m.group(1)] = m.group(2) is not None
    return opts


def ctl_commands(help_text):
    """gracectl's commands: the lines under `Commands:`."""
    section = help_text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^  ([a-z]+)\b", section, re.M))


def command_lines(text):
    """Every grace or gracectl command line the document shows, as token
    lists: in code spans, shell and Dockerfile lines, YAML and JSON
    arrays, and `sh -c` scripts inside them."""
    found = []

    def from_argv(argv):
        if argv and isinstance(argv[0], str) and \
                os.path.basename(argv[0]) in ("grace", "gracectl"):
            found.append([os.path.basename(argv[0])] + [str(a) for a in argv[1:]])
        elif len(argv) >= 3 and argv[0] in ("/bin/sh", "sh") and \
                argv[1] == "-c":
            from_shell(argv[2])

    def from_shell(script):
        for line in script.splitlines():
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                continue
            cmd = []
            for w in words + [";"]:
                if w in SHELL_OPS:
                    from_argv(cmd)
                    cmd = []
                else:
                    cmd.append(w)

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            if node and all(isinstance(x, (str, int, float)) for x in node):
                from_argv(node)
            for v in node:
                walk(v)

    for span in SPAN.findall(prose(text)):
        span = " ".join(span.split())
        if span.startswith("--"):
            found.append(["grace"] + span.split())
        else:
            from_shell(span)
    for lang, body in blocks(text):
        if lang in ("sh", "console", ""):
            from_shell(body)
        elif lang == "dockerfile":
            for line in body.splitlines():
                m = re.match(r"^(ENTRYPOINT|CMD|HEALTHCHECK .*CMD) (\[.*\])",
                             line)
                if m:
                    from_argv(json.loads(m.group(2)))
                elif line.startswith("RUN "):
                    from_shell(line[4:])
        elif lang in ("yaml", "yml"):
            import yaml  # checked present by test_yaml_and_json_parse
            walk(yaml.safe_load(body))
        elif lang == "json":
            walk(json.loads(body))
    return found


def check_grace(argv, opts):
    """The options of a grace command line, up to `--` or the command."""
    bad = []
    i = 1
    while i < len(argv):
        word = argv[i]
        if word == "--" or not word.startswith("-"):
            break
        name = word.split("=", 1)[0]
        if name.startswith("--"):
            if name not in opts:
                bad.append(name)
            elif opts[name] and "=" not in word:
                i += 1
        i += 1
    return bad


def check_gracectl(argv, opts, commands):
    """A gracectl command line: its options and its command."""
    bad = []
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] not in opts:
            bad.append(argv[i])
        i += 1 + (argv[i] == "--control")
    if i < len(argv) and argv[i] not in commands:
        bad.append(argv[i])
    bad += [w for w in argv[i + 1:] if w.startswith("--") and w not in opts]
    return bad


def test_yaml_and_json_parse():
    """Every YAML block is a mapping a pod spec could hold; every JSON
    block and every exec-form Dockerfile array parses."""
    yaml = pytest.importorskip("yaml", reason="python3-yaml is missing")
    text = DOC.read_text()
    langs = [lang for lang, _ in blocks(text)]
    assert "yaml" in langs, "docs/kubernetes.md shows no YAML"
    for lang, body in blocks(text):
        if lang == "yaml":
            try:
                doc = yaml.safe_load(body)
            except yaml.YAMLError as e:
                pytest.fail(f"YAML block does not parse: {e}\n{body}")
            assert isinstance(doc, dict), f"YAML block is no mapping:\n{body}"
            if "apiVersion" in doc:
                assert doc.get("kind") and doc.get("spec"), body
        elif lang == "json":
            json.loads(body)
        elif lang == "dockerfile":
            for line in body.splitlines():
                if re.match(r"^(ENTRYPOINT|CMD) \[", line):
                    array = json.loads(line.split(" ", 1)[1])
                    assert all(isinstance(a, str) for a in array), line


def test_options_and_commands_exist(helps):
    """Each grace option and gracectl command the document names is in
    their --help; and the document does name some, so the parsing above
    cannot pass by finding nothing."""
    pytest.importorskip("yaml", reason="python3-yaml is missing")
    grace_opts = long_options(helps["grace"])
    ctl_opts = {"--control": True, "--json": False}
    for opt in ctl_opts:
        assert opt in helps["gracectl"], f"gracectl --help lacks {opt}"
    commands = ctl_commands(helps["gracectl"])
    assert {"health", "stop", "status"} <= commands, commands
    lines = command_lines(DOC.read_text())
    bad = []
    for argv in lines:
        if argv[0] == "grace":
            bad += [(argv, b) for b in check_grace(argv, grace_opts)]
        else:
            bad += [(argv, b) for b in check_gracectl(argv, ctl_opts,
                                                      commands)]
    assert not bad, "not in --help: " + "; ".join(
        f"{b} in {' '.join(a)}" for a, b in bad)
    named = {w for argv in lines for w in argv}
    for word in ("--stop-timeout", "--grace", "--control", "health", "stop"):
        assert word in named, f"the document no longer shows {word}"


def test_checker_catches_mistakes(helps):
    """The checks above fail on a wrong option or command."""
    pytest.importorskip("yaml", reason="python3-yaml is missing")
    grace_opts = long_options(helps["grace"])
    commands = ctl_commands(helps["gracectl"])
    ctl_opts = {"--control": True}
    assert check_grace(["grace", "--stop-timout", "5", "--"],
                       grace_opts) == ["--stop-timout"]
    assert check_grace(["grace", "--grace", "5", "--", "app", "--bogus"],
                       grace_opts) == []
    assert check_gracectl(["gracectl", "--control", "@x", "healthy"],
                          ctl_opts, commands) == ["healthy"]
    found = command_lines('`--gracee 5`\n```yaml\nc: ["gracectl", "stpo"]\n```\n')
    assert ["grace", "--gracee", "5"] in found
    assert ["gracectl", "stpo"] in found


def heading_anchors(text):
    """GitHub's anchors for a Markdown file's headings."""
    anchors = set()
    for m in re.finditer(r"^#+ (.+)$", prose(text), re.M):
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower())
        anchors.add(slug.replace(" ", "-"))
    return anchors


def test_links_resolve():
    """Every relative link names an existing file and, with #anchor, one
    of its headings; the README links to the document."""
    text = DOC.read_text()
    for target in LINK.findall(prose(text)):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (DOC.parent / path).resolve() if path else DOC
        assert file.exists(), f"link to a missing file: {target}"
        if anchor:
            assert anchor in heading_anchors(file.read_text()), \
                f"no heading for {target}"
    assert "(docs/kubernetes.md)" in README.read_text()
