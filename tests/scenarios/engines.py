# SPDX-License-Identifier: MIT
"""Real container engines for the scenarios (test_engines.py): Debian's
docker.io as a dockerd of the session's own, and Debian's podman over a
store of its own, each with one image imported from a small rootfs
(busybox-static, the static grace, the static helpers, the unit files of a
calico-node-like container).  Nothing is pulled from a registry.  An engine
starts on first use and is torn down when its user says (test_engines.py:
after the module): its containers, its daemon and containerd, anything
left mounted, its files.

Docker runs `--init` from the file its daemon's --init-path names: a
symlink here, pointed at grace or at Debian's tini-static before each
container starts (the daemon mounts what the link names when the
container starts).  Podman takes --init-path per container."""

import io
import json
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import (EVENT_LOG_ENV, REPO, TIMEOUT, EventLog, shared_libraries,
                      shorten, wait_until)

GRACE_STATIC = Path(os.environ.get("GRACE_STATIC",
                                   str(REPO / "build" / "grace-static")))
STATIC_HELPERS = Path(os.environ.get("STATIC_HELPERS",
                                     str(REPO / "build" / "static-helpers")))
# The helpers the image holds, in /h (the Makefile's ENGINE_HELPERS).
IMAGE_HELPERS = ("actor", "svc", "pgdaemon")
BUSYBOX = "/bin/busybox"
APPLETS = ("sh", "kill", "sleep", "true", "cat", "ps", "echo", "ls")
# Debian's tini, static: what the scenarios show failing.
TINI_STATIC = "/usr/bin/tini-static"

# Debian's docker.io by full path: /usr/local/bin may hold another client.
DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"
PODMAN = "/usr/bin/podman"
IMAGE = "grace-test:latest"
# A directory of `docker save` tars the private dockerd loads at its start:
# the base images of examples/ (debian:12-slim, alpine), when wanted.
BASE_IMAGES = os.environ.get("ENGINE_BASE_IMAGES")

# Where the test's event log appears inside every container.
EVENTS_INSIDE = "/ev"
# How long an engine command may take; the start of a daemon, longer.
COMMAND_TIMEOUT = 30.0
DAEMON_START = 60.0

# The calico-node-like container's services (README, "Services"): bird is
# ready on sd_notify, felix once its port accepts connections, confd runs as
# nobody once felix is ready.  Each says a line or two before it becomes
# the svc helper, on stdout and stderr.
CALICO_UNITS = {
    "bird": r"""[Unit]
Description=BGP daemon, played by svc
[Service]
Type=notify
ExecStart=/bin/sh -c "echo bird: started; \
    echo 'bird: no config, using defaults' >&2; \
    exec /h/svc bird --notify --term-ms 100"
Restart=always
""",
    "felix": r"""[Unit]
Description=policy agent, played by svc
After=bird
[Service]
ExecStart=/bin/sh -c "echo felix: starting up; \
    exec /h/svc felix --listen 9099 --term-ms 100"
ReadyCheck=tcp:127.0.0.1:9099
ReadyCheckIntervalSec=50ms
Restart=on-failure
RestartSec=200ms
""",
    "confd": r"""[Unit]
Description=configuration daemon, played by svc
Requires=felix
[Service]
ExecStart=/bin/sh -c "echo confd: found felix; \
    echo 'confd: template missing, skipped' >&2; \
    exec /h/svc confd --term-ms 100"
User=nobody
""",
}
SERVICES_DIR = "/etc/grace/services"


def unavailable(reason):
    """Skips the test with REASON; fails it instead under `make
    scenarios`, which sets GRACE_REQUIRE_ENGINES=1 after installing the
    engines: there, an engine that cannot run is a broken test machine,
    not a reason to pass without testing."""
    if os.environ.get("GRACE_REQUIRE_ENGINES") == "1":
        pytest.fail(f"{reason} (GRACE_REQUIRE_ENGINES=1: every engine must "
                    f"run here)")
    pytest.skip(reason)


class Unfit(Exception):
    """Why an engine cannot run here."""


def run_tool(argv, env=None, timeout=COMMAND_TIMEOUT, check=True, **kwargs):
    """Runs ARGV to the end; with CHECK a failure fails the test with the
    command's output."""
    done = subprocess.run([str(a) for a in argv], env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))}: exit "
                             f"{done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def image_unfit():
    """Why the image cannot be made, or None: the static programs must be
    built (`make static`, the Makefile's static helpers) and busybox-static
    installed."""
    for program in [GRACE_STATIC] + [STATIC_HELPERS / h for h in IMAGE_HELPERS]:
        if not program.exists():
            pytest.fail(f"{program} is missing: run `make static "
                        "static-helpers` (`make scenarios` builds them)")
        if shared_libraries(str(program)):
            pytest.fail(f"{program} is not static: a container holds no C "
                        "library")
    if not os.path.exists(BUSYBOX):
        return f"{BUSYBOX} is missing: the image needs busybox-static"
    return None


def write_rootfs(tar_path):
    """Writes the image's rootfs as a tar: busybox and its applets in /bin,
    grace as /bin/grace, the helpers in /h, tini-static at its Debian path,
    the calico-node-like unit files, a passwd with root and nobody, a file
    that is not executable (/noexec), /tmp and /run.  Everything is
    root's."""
    def add_file(tar, source, name, mode=0o755):
        info = tar.gettarinfo(str(source), name)
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = mode
        with open(source, "rb") as f:
            tar.addfile(info, f)

    def add_text(tar, name, text, mode=0o644):
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), mode, int(time.time())
        tar.addfile(info, fileobj=io.BytesIO(data))

    def add_dir(tar, name, mode=0o755):
        info = tarfile.TarInfo(name)
        info.type, info.mode = tarfile.DIRTYPE, mode
        info.mtime = int(time.time())
        tar.addfile(info)

    with tarfile.open(tar_path, "w") as tar:
        for name in ("bin", "h", "usr", "usr/bin", "etc", "etc/grace",
                     SERVICES_DIR.lstrip("/"), "run", "proc", "sys", "dev"):
            add_dir(tar, name)
        add_dir(tar, "tmp", 0o1777)
        add_file(tar, BUSYBOX, "bin/busybox")
        for applet in APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
        add_file(tar, GRACE_STATIC, "bin/grace")
        for helper in IMAGE_HELPERS:
            add_file(tar, STATIC_HELPERS / helper, f"h/{helper}")
        if os.path.exists(TINI_STATIC):
            add_file(tar, TINI_STATIC, TINI_STATIC.lstrip("/"))
        for name, text in CALICO_UNITS.items():
            add_text(tar, f"{SERVICES_DIR.lstrip('/')}/{name}.service", text)
        add_text(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                 "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        add_text(tar, "etc/group", "root:x:0:\nnogroup:x:65534:\n")
        add_text(tar, "noexec", "#!/bin/sh\necho never\n", 0o644)


def mounts_under(path):
    """Mount points at or below PATH, deepest first."""
    found = []
    prefix = str(path).rstrip("/") + "/"
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == str(path) or point.startswith(prefix):
                found.append(point)
    return sorted(found, key=lambda p: p.count("/"), reverse=True)


def unmount_under(path):
    """Detaches whatever an engine left mounted below PATH."""
    for point in mounts_under(path):
        subprocess.run(["umount", "-l", point], capture_output=True)


def parse_engine_time(text):
    """A time as docker ("2026-12-01T16:22:09.01015757Z") or podman
    ("2026-12-01 16:22:09.01015757 +0000 UTC") writes it, in seconds since
    the epoch."""
    match = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?"
                     r"\s*(Z|[+-]\d\d:?\d\d)?", text)
    assert match, f"unreadable time {text!r}"
    day, clock, fraction, zone = match.groups()
    when = datetime.fromisoformat(f"{day}T{clock}")
    offset = timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]),
                                  minutes=int(digits[2:]))
    when = when.replace(tzinfo=timezone(offset))
    return when.timestamp() + float(f"0.{fraction or 0}")


def monotonic_of(epoch_seconds):
    """A wall-clock time on CLOCK_MONOTONIC, the clock of the event log."""
    return epoch_seconds - (time.time() - time.monotonic())


class Engine:
    """A container engine with a private store under BASE, once started."""

    name = None
    image = IMAGE
    way = "as it is"

    def __init__(self, base):
        self.base = Path(base)
        self.env = dict(os.environ)

    def command(self, *args):
        raise NotImplementedError

    def tool(self, *args, check=True, timeout=COMMAND_TIMEOUT):
        """Runs the engine's client with ARGS."""
        return run_tool(self.command(*args), env=self.env, check=check,
                        timeout=timeout)

    def init_options(self, init):
        """The run options that make INIT ("grace", "tini") the
        container's init."""
        raise NotImplementedError

    def import_image(self):
        tar = self.base / "rootfs.tar"
        write_rootfs(tar)
        self.tool("import", tar, self.image)
        tar.unlink()

    def probe(self):
        """Runs one container; raises Unfit with the engine's words when it
        cannot."""
        done = self.tool("run", "--rm", "--network", "none", self.image,
                         "/bin/true", check=False)
        if done.returncode != 0:
            raise Unfit(f"{self.name} cannot run a container here: "
                        f"{(done.stderr or done.stdout).strip()}")

    def remove_containers(self):
        listed = self.tool("ps", "-aq", check=False).stdout.split()
        if listed:
            self.tool("rm", "-f", *listed, check=False)

    def close(self):
        raise NotImplementedError


class Docker(Engine):
    """A dockerd of the session's own: its own data and exec roots, socket,
    containerd (which it starts) and namespace, no bridge and no iptables,
    and --init-path naming a docker-init symlink."""

    name = "docker"

    def __init__(self, base):
        super().__init__(base)
        self.daemon = None
        self.init_link = self.base / "docker-init"
        self.socket = self.base / "d.sock"
        self.env["DOCKER_CONFIG"] = str(self.base / "cli")
        self.env.pop("DOCKER_HOST", None)
        self.env.pop("DOCKER_CONTEXT", None)

    def command(self, *args):
        return [DOCKER, "-H", f"unix://{self.socket}", *map(str, args)]

    def use_init(self, path):
        """Points docker-init at PATH for the containers started next."""
        tmp = self.base / "docker-init.new"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(path)
        os.replace(tmp, self.init_link)

    def init_options(self, init):
        self.use_init(TINI_STATIC if init == "tini" else GRACE_STATIC)
        return ["--init"]

    def start(self):
        for program, package in ((DOCKERD, "docker.io"), (DOCKER, "docker.io")):
            if not os.path.exists(program):
                raise Unfit(f"{program} is missing: install {package}")
        self.use_init(GRACE_STATIC)
        # A configuration of its own, which also keeps the daemon's key out
        # of /etc/docker.
        config = self.base / "daemon.json"
        config.write_text(json.dumps(
            {"deprecated-key-path": str(self.base / "key.json")}))
        argv = [DOCKERD, "--config-file", config,
                "--data-root", self.base / "data",
                "--exec-root", self.base / "x",
                "-H", f"unix://{self.socket}", "--pidfile", self.base / "d.pid",
                "--bridge=none", "--iptables=false", "--ip6tables=false",
                "--containerd-namespace", "grace-test",
                "--containerd-plugins-namespace", "grace-test-plugins",
                "--init-path", self.init_link]
        self.log = self.base / "dockerd.log"
        with open(self.log, "wb") as log:
            self.daemon = subprocess.Popen([str(a) for a in argv], env=self.env,
                                           stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT,
                                           start_new_session=True)

        def up():
            if self.daemon.poll() is not None:
                return "exited"
            return self.socket.exists() and \
                self.tool("version", check=False, timeout=5).returncode == 0

        try:
            state = wait_until(up, DAEMON_START, "dockerd to answer")
        except AssertionError as e:
            state = str(e)
        if state is not True:
            log = self.log.read_text(errors="replace")
            raise Unfit(f"dockerd did not start ({state}):\n"
                        f"{shorten(log, 3000)}")
        self.import_image()
        self.probe()
        # Base images for the examples (test_engines.py), saved elsewhere
        # with `docker save`: this daemon pulls nothing.
        if BASE_IMAGES:
            for saved in sorted(Path(BASE_IMAGES).glob("*.tar")):
                self.tool("load", "-i", saved, timeout=120)

    def containerd_pid(self):
        try:
            return int((self.base / "x" / "containerd" / "containerd.pid")
                       .read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def close(self):
        if self.daemon is None:
            return
        if self.daemon.poll() is None:
            self.remove_containers()
        containerd = self.containerd_pid()
        if self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        # dockerd stops the containerd it started; if it could not, so be
        # it, once it is surely ours (its command line names our base).
        if containerd is not None:
            try:
                cmdline = Path(f"/proc/{containerd}/cmdline").read_bytes()
                if str(self.base).encode() in cmdline:
                    os.kill(containerd, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


class Podman(Engine):
    """Podman over a store of the session's own: vfs storage, cgroupfs, runc,
    events and logs in files.  Where runc refuses podman's default rlimits
    (nofile and nproc above the hard limits, which only CAP_SYS_RESOURCE may
    raise: "error setting rlimit type 7"), its containers.conf sets none,
    and the reports say so."""

    name = "podman"
    image = "localhost/" + IMAGE

    def __init__(self, base):
        super().__init__(base)
        self.conf = self.base / "containers.conf"
        self.write_conf(default_ulimits=True)
        storage = self.base / "storage.conf"
        storage.write_text(f"[storage]\ndriver = \"vfs\"\n"
                           f"graphroot = \"{self.base / 'root'}\"\n"
                           f"runroot = \"{self.base / 'run'}\"\n")
        self.env["CONTAINERS_CONF"] = str(self.conf)
        self.env["CONTAINERS_STORAGE_CONF"] = str(storage)
        self.started = False
        self.way = "with its default rlimits"

    def write_conf(self, default_ulimits):
        self.conf.write_text(
            "[containers]\n"
            + ("" if default_ulimits else "default_ulimits = []\n")
            + "log_driver = \"k8s-file\"\n"
            f"[network]\nnetwork_config_dir = \"{self.base / 'net'}\"\n")

    def command(self, *args):
        return [str(arg) for arg in (
            PODMAN, "--root", self.base / "root", "--runroot",
            self.base / "run", "--storage-driver", "vfs",
            "--cgroup-manager", "cgroupfs", "--runtime", "runc",
            "--events-backend", "file", "--tmpdir", self.base / "tmp", *args)]

    def init_options(self, init):
        return ["--init", "--init-path",
                TINI_STATIC if init == "tini" else GRACE_STATIC]

    def start(self):
        if not os.path.exists(PODMAN):
            raise Unfit(f"{PODMAN} is missing: install podman")
        if shutil.which("runc") is None:
            raise Unfit("runc is missing: install runc")
        self.started = True
        self.import_image()
        try:
            self.probe()
        except Unfit as e:
            if "rlimit" not in str(e):
                raise
            self.write_conf(default_ulimits=False)
            self.way = f"without its default rlimits, which runc refused ({e})"
            self.probe()

    def close(self):
        if self.started:
            self.tool("rm", "-a", "-f", "-t", "0", check=False)


ENGINES = ("docker", "podman")
KINDS = {"docker": Docker, "podman": Podman}


class Engines:
    """The session's engines, each started on first use; a reason in
    place of one that cannot run here."""

    def __init__(self):
        self.found = {}
        self.base = None

    def get(self, name):
        """The engine NAME, started; skips the test, with the reason, when
        it cannot run here."""
        if name not in self.found:
            unfit = image_unfit()
            if unfit:
                unavailable(unfit)
            if self.base is None:
                # Short: dockerd's and containerd's sockets live below.
                self.base = Path(tempfile.mkdtemp(prefix="ge-", dir="/tmp"))
            where = self.base / name[0]
            where.mkdir(exist_ok=True)
            engine = KINDS[name](where)
            try:
                engine.start()
            except Exception as e:  # a failed import too: never a leak
                engine.close()
                engine = f"{name}: {e}"
            self.found[name] = engine
        engine = self.found[name]
        if isinstance(engine, str):
            unavailable(engine)
        return engine

    def close(self):
        for engine in self.found.values():
            if not isinstance(engine, str):
                engine.close()
        if self.base is not None:
            unmount_under(self.base)
            shutil.rmtree(self.base, ignore_errors=True)


class Box:
    """One container of a test, run detached under a name of its own, with
    the test's workdir at /ev and EVENT_LOG naming /ev/events there."""

    def __init__(self, engine, workdir, role):
        self.engine = engine
        self.workdir = workdir
        self.role = role
        self.name = f"grace-{role}-{uuid.uuid4().hex[:8]}"
        self.log = EventLog(workdir / "events")
        self.argv = []
        self.exit_code = None

    def env_options(self, env=None):
        inside = {EVENT_LOG_ENV: f"{EVENTS_INSIDE}/events"}
        inside.update(env or {})
        return [word for key, value in inside.items()
                for word in ("-e", f"{key}={value}")]

    def run_args(self, cmd, init="grace", entrypoint=None, user=None,
                 pid=None, env=None, image=None, mode=("-d",)):
        """The engine's `run` arguments for CMD in a new container from
        IMAGE (by default the session's): with INIT ("grace", "tini") as
        the engine's --init, or none (then ENTRYPOINT, when given, is the
        container's first program); USER for --user, PID for --pid; MODE
        -d (detached) or -it."""
        argv = ["run", *mode, "--name", self.name, "--network", "none",
                "-v", f"{self.workdir}:{EVENTS_INSIDE}"] + self.env_options(env)
        argv += self.engine.init_options(init) if init else []
        argv += ["--entrypoint", entrypoint] if entrypoint else []
        argv += ["--user", str(user)] if user is not None else []
        argv += ["--pid", pid] if pid else []
        self.argv = [str(arg) for arg in
                     argv + [image or self.engine.image] + list(cmd)]
        return self.argv

    def run(self, cmd, **options):
        """Starts CMD detached, as run_args() says."""
        self.engine.tool(*self.run_args(cmd, **options))
        return self

    def stop(self, timeout=10):
        """The engine's stop: SIGTERM, then SIGKILL after TIMEOUT seconds."""
        self.engine.tool("stop", "-t", str(timeout), self.name,
                         timeout=timeout + COMMAND_TIMEOUT)

    def kill(self, sig):
        self.engine.tool("kill", "-s", sig, self.name)

    def exec(self, argv, env=None, detach=False, check=True):
        """Runs ARGV in the container (`exec -d` with DETACH)."""
        return self.engine.tool("exec", *(["-d"] if detach else []),
                                *self.env_options(env), self.name, *argv,
                                check=check)

    def wait(self, timeout=TIMEOUT):
        """The container's exit code, once it has exited."""
        if self.exit_code is None:
            done = self.engine.tool("wait", self.name, timeout=timeout)
            self.exit_code = int(done.stdout.split()[-1])
        return self.exit_code

    def state(self):
        done = self.engine.tool("inspect", self.name)
        return json.loads(done.stdout)[0]["State"]

    def running(self):
        return self.state()["Running"]

    def finished_at(self):
        """When the engine saw the container exit, on the event log's
        clock."""
        return monotonic_of(parse_engine_time(self.state()["FinishedAt"]))

    def logs(self):
        """The container's output as the engine kept it: (stdout, stderr)."""
        done = self.engine.tool("logs", self.name)
        return done.stdout, done.stderr

    def remove(self):
        self.engine.tool("rm", "-f", self.name, check=False)

    def report(self):
        """What a failed test shows of this container."""
        logs = self.engine.tool("logs", self.name, check=False)
        state = self.engine.tool("inspect", "--format", "{{json .State}}",
                                 self.name, check=False)
        return (f"=== {self.engine.name} ({self.engine.way}) {self.role}: "
                f"{' '.join(self.argv)}\n"
                f"state: {state.stdout.strip() or state.stderr.strip()}\n"
                f"stdout:\n{shorten(logs.stdout, 4000)}\n"
                f"stderr:\n{shorten(logs.stderr, 4000)}")
