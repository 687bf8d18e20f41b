"""Run untrusted notebook code in a separate, limited process, and fail closed (GRADING.md).

`run(cells, probe)` starts `python -I sandbox_child.py` in a fresh temporary folder holding only
that program and a copy of `helpers` (code and classifier weights, no reference answers), with:

- resource limits: heap memory (RLIMIT_DATA), processes (RLIMIT_NPROC, where it applies: not for
  root), file size, no core dumps;
- its own session, so that on a timeout the whole process group is killed;
- where the kernel allows, new user, mount and network namespaces: no network, and the course
  folder (answers, gradebook, sources, other submissions) hidden behind an empty tmpfs, with only
  the Python environment mounted back; started as root, the sandbox drops every capability after
  setting up, with /sys and /proc read-only, the cgroups hidden and only harmless devices in /dev;
- a wall-clock limit for the whole run and an alarm per cell;
- stdout and stderr kept up to a cap, the rest dropped; the result read from its own pipe, up to a
  cap, and decoded strictly (plain data and arrays, no pickle).

Every run ends in an Outcome with a status: "ok", or "timeout", "crashed", "output_limit",
"invalid", "error", each with a reason a student can read.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course.sandbox_child import MS_BIND, load_libc

CHILD = Path(__file__).with_name("sandbox_child.py")
HELPERS = Path(__file__).resolve().parent.parent / "helpers"
COURSE_ROOT = HELPERS.parent
ARRAY_DTYPES = {"float32", "float64", "int64", "int32", "uint8", "bool"}
STATUSES = ("ok", "timeout", "crashed", "output_limit", "invalid", "error")


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use."""

    wall_seconds: float = 600.0  # the whole run, start-up included
    cell_seconds: float = 300.0  # one cell (an alarm; the wall clock catches native code)
    memory_bytes: int = 6 * 2**30  # heap (RLIMIT_DATA): what torch and a few batches need, not a bomb
    processes: int = 256  # more than this user already runs (RLIMIT_NPROC; root is exempt)
    file_bytes: int = 256 * 2**20  # the largest file the code may write
    output_bytes: int = 200_000  # stdout + stderr kept for the feedback
    result_bytes: int = 64 * 2**20  # the result document
    unisolated: bool = False  # the instructor's explicit choice to grade where no isolation is possible


class IsolationUnavailable(RuntimeError):
    """This machine cannot isolate a submission (no bubblewrap, or user namespaces refused), and
    the instructor did not choose to grade unisolated (Limits.unisolated, `--unisolated`)."""


def require_isolation(limits: Limits) -> str:
    """"isolated" or "unisolated" (when allowed by `limits`); raises IsolationUnavailable otherwise."""
    if _namespaces_available():
        return "isolated"
    if limits.unisolated:
        return "unisolated"
    raise IsolationUnavailable("this machine cannot isolate submissions; pass --unisolated to grade anyway")


@dataclass
class CellRun:
    id: str
    error: str | None
    seconds: float


@dataclass
class Outcome:
    status: str  # one of STATUSES
    reason: str  # "" when ok
    cells: list[CellRun] = field(default_factory=list)
    observations: object = None  # what the probe returned, decoded (arrays as NumPy)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    isolation: list[str] = field(default_factory=list)  # the layers that were in force
    folder: str = ""  # the temporary folder it ran in (removed afterwards)
    isolated: bool = True  # False only when graded with Limits(unisolated=True) where no isolation was possible

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run(cells: list[tuple[str, str]], probe: str = "", limits: Limits = Limits(), seed: int = 0,
        env: dict[str, str] | None = None, hide: Path | None = COURSE_ROOT) -> Outcome:
    """Run `cells` (cell id, source) in order in one namespace, then `probe` (source defining
    `observe(namespace)`), in a sandbox. `hide`: the folder to hide from the code (None: none)."""
    job = {"cells": [list(c) for c in cells], "probe": probe, "seed": seed, "threads": 1,
           "cell_seconds": limits.cell_seconds}
    with tempfile.TemporaryDirectory(prefix="gan-sandbox-") as folder:
        folder = Path(folder)
        shutil.copy(CHILD, folder / CHILD.name)
        shutil.copytree(HELPERS, folder / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
        namespaces = _namespaces_available()
        isolation = ["rlimits", "own session", "own folder"]
        if namespaces:
            isolation += ["no network", "own processes"] + ([f"{hide} hidden"] if hide else [])
            if os.getuid() == 0:  # sandbox_child._drop_root
                isolation.append("root without capabilities, /sys and /proc read-only, no disks in /dev")
        with _cgroups(limits) as cgroups:
            if "pids" in cgroups:
                isolation.append(f"at most {limits.processes} processes (cgroup)")
            elif os.getuid() != 0:
                isolation.append(f"at most {limits.processes} more processes (RLIMIT_NPROC)")
            if "memory" in cgroups:
                isolation.append(f"at most {limits.memory_bytes / 2**30:g} GiB of memory in all (cgroup)")
            started = time.perf_counter()
            child_env = _child_env(folder, env)
            outcome = _run_child(folder, job, limits, child_env, hide if namespaces else None, namespaces, cgroups,
                                 keep=[Path(sys.prefix), Path(child_env["GAN_DATA_DIR"])])
            outcome.seconds = time.perf_counter() - started
        outcome.isolation = isolation
        outcome.folder = str(folder)
        return outcome


def _child_env(folder: Path, extra: dict[str, str] | None) -> dict[str, str]:
    """A small environment: no instructor secrets, HOME in the sandbox, data and seeds as given."""
    from helpers.data import resolve_data_dir

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "TMPDIR": str(folder),
           "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg",
           "GAN_ANSWERS_DIR": str(folder / "no-answers"), "GAN_DATA_DIR": str(resolve_data_dir())}
    for name in ("GAN_SMOKE", "GAN_DEVICE", "LANG"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def _run_child(folder: Path, job: dict, limits: Limits, env: dict[str, str], hide: Path | None,
               namespaces: bool, cgroups: dict[str, Path], keep: list[Path]) -> Outcome:
    result_read, result_write = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(folder)!r}); "
             "import runpy; runpy.run_path('sandbox_child.py', run_name='__main__')"],
            cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=(result_write,), start_new_session=True,
            preexec_fn=lambda: _enter_sandbox(limits, hide, folder, namespaces, cgroups, keep),
        )
    except OSError as error:
        os.close(result_read)
        os.close(result_write)
        return Outcome("error", f"the sandbox could not start: {error}")
    os.close(result_write)
    streams = {
        "stdout": _Capped(process.stdout, limits.output_bytes),
        "stderr": _Capped(process.stderr, limits.output_bytes),
        "result": _Capped(os.fdopen(result_read, "rb"), limits.result_bytes),
    }
    for stream in streams.values():
        stream.start()
    try:
        process.stdin.write(json.dumps({**job, "result_fd": result_write, "new_pid_namespace": namespaces}).encode())
        process.stdin.close()
    except BrokenPipeError:
        pass  # the child died at once; its exit status says why
    timed_out = False
    try:
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    _kill_group(process.pid)
    process.wait()
    for stream in streams.values():
        stream.join(timeout=10)
    outcome = Outcome("ok", "", stdout=streams["stdout"].text(), stderr=streams["stderr"].text())
    if timed_out:
        outcome.status, outcome.reason = "timeout", (
            f"the notebook ran longer than {limits.wall_seconds:g} s in total and was stopped")
        return outcome
    if streams["result"].overflow:
        outcome.status, outcome.reason = "output_limit", (
            f"the result was larger than {limits.result_bytes:,} bytes")
        return outcome
    raw = streams["result"].data()
    if not raw:
        outcome.status = "crashed"
        code = process.returncode
        if code < 0:
            outcome.reason = f"the notebook's process was killed by {signal.Signals(-code).name} before it finished"
            if -code == signal.SIGSEGV:
                outcome.reason += " (a crash in native code)"
            elif -code in (signal.SIGKILL, signal.SIGXCPU):
                outcome.reason += " (a resource limit)"
        else:
            outcome.reason = (f"the notebook's process exited (code {code}) before it finished: "
                              "os._exit, a crash, or a limit on memory or processes")
        tail = outcome.stderr.strip().splitlines()[-1:] if outcome.stderr.strip() else []
        if tail:
            outcome.reason += f"; its last error output: {tail[0][:300]}"
        return outcome
    try:
        document = json.loads(raw, object_hook=_decode)
        outcome.cells = [CellRun(str(c["id"]), c["error"], float(c["seconds"])) for c in document["cells"]]
        outcome.observations = document["observations"]
    except (ValueError, KeyError, TypeError) as error:
        outcome.status, outcome.reason = "error", f"the notebook's result could not be read ({error})"
    return outcome


def _decode(obj: dict):
    """The inverse of sandbox_child.encode, strictly: known dtypes, sizes that match."""
    if "__array__" in obj:
        dtype = obj["__array__"]
        if dtype not in ARRAY_DTYPES:
            raise ValueError(f"array of dtype {dtype!r}")
        shape = tuple(int(n) for n in obj["shape"])
        data = base64.b64decode(obj["data"], validate=True)
        array = np.frombuffer(data, dtype=dtype)
        if array.size != int(np.prod(shape)):
            raise ValueError(f"array data of {array.size} items for shape {shape}")
        return array.reshape(shape).copy()
    if "__float__" in obj:
        text = obj["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise ValueError(f"float {text!r}")
        return float(text)
    return obj


class _Capped(threading.Thread):
    """Reads a pipe to its end, keeping the first `limit` bytes (so a flood never blocks the child)."""

    def __init__(self, pipe, limit: int):
        super().__init__(daemon=True)
        self.pipe, self.limit = pipe, limit
        self.chunks: list[bytes] = []
        self.kept = 0
        self.overflow = False

    def run(self):
        with self.pipe:
            while chunk := self.pipe.read1(65536):
                room = self.limit - self.kept
                if len(chunk) > room:
                    self.overflow = True
                    chunk = chunk[:max(room, 0)]
                if chunk:
                    self.chunks.append(chunk)
                    self.kept += len(chunk)

    def data(self) -> bytes:
        return b"".join(self.chunks)

    def text(self) -> str:
        text = self.data().decode("utf-8", errors="replace")
        return text + (f"\n[output cut at {self.limit:,} bytes]" if self.overflow else "")


@contextlib.contextmanager
def _cgroups(limits: Limits):
    """Fresh cgroups for one run, where we may make them (root, or a delegated tree): a pids cgroup
    allowing `limits.processes` processes, and a memory cgroup holding every process of the run
    (forked ones included) to `limits.memory_bytes` in all. Yields {"pids": folder, "memory":
    folder} for those made (cgroup v2: one folder for both). On the way out every process in them
    is killed, including any that left the session, and the cgroups are removed."""
    name = f"gan-sandbox-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    made = {}
    pids = _make_cgroup([Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")], name, {"pids.max": limits.processes})
    if pids is not None:
        made["pids"] = pids
        if (pids / "memory.max").exists():  # cgroup v2 with the memory controller enabled
            with contextlib.suppress(OSError):
                (pids / "memory.max").write_text(str(limits.memory_bytes))
                (pids / "memory.swap.max").write_text("0")
                made["memory"] = pids
    if "memory" not in made:  # cgroup v1: a child of this process's own memory cgroup
        memory = _make_cgroup([Path("/sys/fs/cgroup/memory") / _own_cgroup("memory").lstrip("/")], name,
                              {"memory.limit_in_bytes": limits.memory_bytes})
        if memory is not None:
            made["memory"] = memory
    try:
        yield made
    finally:
        for folder in dict.fromkeys(made.values()):
            for _ in range(100):
                members = (folder / "cgroup.procs").read_text().split()
                if not members:
                    break
                for pid in members:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                time.sleep(0.05)
            with contextlib.suppress(OSError):
                folder.rmdir()


def _make_cgroup(parents: list[Path], name: str, settings: dict[str, int]) -> Path | None:
    for parent in parents:
        if not (parent / "cgroup.procs").exists():
            continue
        made = parent / name
        try:
            made.mkdir()
            for key, value in settings.items():
                (made / key).write_text(str(value))
            return made
        except OSError:
            with contextlib.suppress(OSError):
                made.rmdir()
    return None


def _own_cgroup(controller: str) -> str:
    """This process's cgroup path for `controller` (cgroup v1), "" where it has none."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return path
    return ""


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the child and whatever it forked (start_new_session)
    except ProcessLookupError:
        pass


# ------------------------------------------------------------------------------------------------
# Inside the forked child, before exec: limits and namespaces

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_REC, MS_PRIVATE = 16384, 1 << 18  # MS_BIND and libc's mount() signature: sandbox_child's


def _enter_sandbox(limits: Limits, hide: Path | None, folder: Path, namespaces: bool, cgroups: dict[str, Path],
                   keep: list[Path]) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    if namespaces:
        _isolate(hide, folder, keep)
    for cgroup in dict.fromkeys(cgroups.values()):  # root ignores RLIMIT_NPROC: the pids cgroup counts instead
        (cgroup / "cgroup.procs").write_text(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes + _processes_of_user(),) * 2)


def _processes_of_user() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def _isolate(hide: Path | None, folder: Path, keep: list[Path] = ()) -> None:
    """New network, mount and PID namespaces (and a user namespace when not root); hide `hide`,
    except the folders in `keep` that lie inside it (the Python environment, the data).

    The PID namespace takes effect for the children of the started program: sandbox_child forks
    once, and its child (PID 1 there) mounts a /proc that shows only the sandbox's processes, so
    /proc/<pid>/root of a process outside cannot lead back into the hidden folder."""
    libc = load_libc()
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (0 if uid == 0 else CLONE_NEWUSER)
    _check(libc.unshare(flags), "unshare")
    if uid != 0:  # map ourselves to ourselves inside the user namespace
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    if hide is None:
        return
    hide = Path(hide).resolve()
    keep = [p for p in {Path(k).resolve() for k in keep} if hide in p.parents and p.exists()]  # e.g. the venv, the data
    parked = []
    for index, path in enumerate(keep):  # park what stays visible, hide, mount it back
        spot = folder / f".keep{index}"
        spot.mkdir()
        _check(libc.mount(str(path).encode(), str(spot).encode(), None, MS_BIND | MS_REC, None), f"bind {path}")
        parked.append((spot, path))
    _check(libc.mount(b"tmpfs", str(hide).encode(), b"tmpfs", 0, b"size=1m,mode=755"), f"tmpfs on {hide}")
    for spot, path in parked:
        path.mkdir(parents=True, exist_ok=True)
        _check(libc.mount(str(spot).encode(), str(path).encode(), None, MS_BIND | MS_REC, None), f"bind back {path}")


_NAMESPACES: bool | None = None


def _namespaces_available() -> bool:
    """Whether this machine lets us unshare network and mount namespaces (tried once, in a child)."""
    global _NAMESPACES
    if _NAMESPACES is None:
        if sys.platform != "linux":
            _NAMESPACES = False
        else:
            try:
                done = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=lambda: _isolate(None, Path("/")),
                                      capture_output=True, timeout=60)
                _NAMESPACES = done.returncode == 0
            except (OSError, subprocess.SubprocessError):
                _NAMESPACES = False
    return _NAMESPACES
