"""The program that runs inside the sandbox (see course/sandbox.py): untrusted cells, then a probe.

It is copied into each sandbox folder and started there with `python -I`, so it imports nothing
from the course. Protocol:

- stdin: one JSON job {"cells": [[cell_id, source], ...], "probe": source, "seed": int,
  "threads": int, "cell_seconds": float, "result_fd": int};
- the file descriptor named by the job's "result_fd": one JSON document back, written once at the end: {"cells": [{"id", "error", "seconds"}],
  "observations": ...}, where observations is what the probe's `observe(namespace)` returned,
  encoded by `encode` (plain data and arrays only);
- stdout and stderr: whatever the cells print (kept by the parent for the feedback, never read as
  a verdict).
"""

import base64
import json
import math
import os
import signal
import sys
import time

ARRAY_DTYPES = {"float32", "float64", "int64", "int32", "uint8", "bool"}


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time (a BaseException: `except Exception` does not catch it)."""


def encode(value, depth=0):
    """Plain data for JSON: None, bool, int, finite float, str, lists, str-keyed dicts, arrays.

    Exact types only (`type(x) is float`), so a subclass with a rigged `__eq__` or `__float__`
    cannot pass; NumPy arrays and torch tensors become {"__array__": dtype, "shape", "data"}.
    Anything else raises TypeError, which the probe reports as a failed observation.
    """
    if depth > 20:
        raise TypeError("observations nested deeper than 20 levels")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if kind in (list, tuple):
        return [encode(item, depth + 1) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("observation dicts need str keys")
        return {key: encode(item, depth + 1) for key, item in value.items()}
    array = _as_numpy(value)
    if array is not None:
        return {"__array__": str(array.dtype), "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode("ascii")}
    raise TypeError(f"cannot send a {kind.__module__}.{kind.__qualname__} out of the sandbox")


def _as_numpy(value):
    numpy = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    if torch is not None and type(value) is torch.Tensor:  # exact type: no Tensor subclasses
        value = value.detach().cpu().numpy()
    if numpy is not None and type(value) is numpy.ndarray and str(value.dtype) in ARRAY_DTYPES:
        return numpy.array(value, order="C", copy=True)  # not ascontiguousarray: it turns 0-d into 1-d
    return None


def _seed(seed, threads):
    import random

    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(threads)
    except ImportError:
        pass


def _on_alarm(signum, frame):
    raise CellTimeout()


def _enter_pid_namespace():
    """Fork into the new PID namespace the parent made (we become its PID 1) and mount a /proc that
    shows only it; the original process waits and passes the exit status on."""
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):  # die of the same signal, so that the runner reads why
            if os.WTERMSIG(status) not in (signal.SIGKILL, signal.SIGSTOP):  # these cannot be handled anyway
                signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
            os.kill(os.getpid(), os.WTERMSIG(status))
        os._exit(os.waitstatus_to_exitcode(status))
    libc = load_libc()
    if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        os._exit(70)  # no private /proc: refuse to run rather than run less isolated than reported
    if os.getuid() == 0:
        _drop_root(libc)


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
SAFE_DEVICES = ("null", "zero", "full", "random", "urandom")


def load_libc():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _drop_root(libc):
    """Started as root (the grader should not be, but CI machines are): take away what user id 0
    can do without capabilities, then drop every capability, for good.

    Without capabilities it cannot mount or unmount (the hidden course folder stays hidden), but
    files owned by root stay writable to it; so, first, in this mount namespace: /sys and /proc
    read-only (kernel settings), an empty /sys/fs/cgroup (the limits on this run), and a /dev with
    only null, zero, full, random and urandom (no disks)."""
    import ctypes

    def mount(source, target, kind, flags, data=None):
        if libc.mount(source, target, kind, flags, data) != 0:
            os._exit(71)  # refuse to run less isolated than reported

    hardening = MS_NOSUID | MS_NODEV | MS_NOEXEC
    mount(b"tmpfs", b"/sys/fs/cgroup", b"tmpfs", MS_RDONLY | hardening, b"size=4k")
    mount(None, b"/sys", None, MS_REMOUNT | MS_BIND | MS_RDONLY | hardening)
    mount(None, b"/proc", None, MS_REMOUNT | MS_BIND | MS_RDONLY | hardening)
    parked = []
    for name in SAFE_DEVICES:  # park the harmless devices, cover /dev, bring them back
        spot = os.path.abspath(f".dev-{name}")
        open(spot, "w").close()
        mount(f"/dev/{name}".encode(), spot.encode(), None, MS_BIND)
        parked.append((spot, name))
    mount(b"tmpfs", b"/dev", b"tmpfs", MS_NOSUID | MS_NOEXEC, b"size=64k,mode=755")
    for spot, name in parked:
        open(f"/dev/{name}", "w").close()
        mount(spot.encode(), f"/dev/{name}".encode(), None, MS_BIND)
    os.mkdir("/dev/shm")
    mount(b"tmpfs", b"/dev/shm", b"tmpfs", hardening, b"size=64m,mode=1777")
    for index, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{index}", f"/dev/{name}")
    os.symlink("/proc/self/fd", "/dev/fd")

    pr_set_no_new_privs, pr_capbset_drop, pr_cap_ambient, ambient_clear_all = 38, 24, 47, 4
    libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)  # no setuid program can give them back
    for capability in range(64):
        libc.prctl(pr_capbset_drop, capability, 0, 0, 0)  # beyond the last one: EINVAL, harmless
    libc.prctl(pr_cap_ambient, ambient_clear_all, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    none = (Data * 2)()  # version 3: two 32-bit halves, all zero
    if libc.capset(ctypes.byref(Header(0x20080522, 0)), none) != 0:
        os._exit(71)
    with open("/proc/self/status") as status:
        held = {line.split(":")[0]: line.split()[1] for line in status if line.startswith("Cap")}
    if any(int(held[key], 16) for key in ("CapEff", "CapPrm", "CapBnd", "CapAmb")):
        os._exit(71)


def main():
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    if job.get("new_pid_namespace"):
        _enter_pid_namespace()
    origin = os.getpid()  # the process that reports; a copy forked inside a cell ends with that cell
    result_pipe = os.fdopen(job["result_fd"], "w")
    os.environ["MPLBACKEND"] = "Agg"  # plots render nowhere
    _seed(job["seed"], job["threads"])
    signal.signal(signal.SIGALRM, _on_alarm)
    namespace = {"__name__": "__main__"}
    cells = []
    for cell_id, source in job["cells"]:
        started = time.perf_counter()
        error = None
        signal.setitimer(signal.ITIMER_REAL, job["cell_seconds"])
        try:
            exec(compile(source, f"<cell {cell_id}>", "exec"), namespace)
        except CellTimeout:
            error = f"CellTimeout: the cell ran longer than {job['cell_seconds']:g} s and was stopped"
        except BaseException as failure:  # noqa: BLE001 (SystemExit and KeyboardInterrupt are cell errors too)
            error = f"{type(failure).__name__}: {failure}"
        finally:
            if os.getpid() != origin:
                os._exit(0)
            signal.setitimer(signal.ITIMER_REAL, 0)
        cells.append({"id": cell_id, "error": _clip(error), "seconds": time.perf_counter() - started})
    observations = None
    if job["probe"]:
        probe = {"__name__": "probe"}
        try:
            exec(compile(job["probe"], "<probe>", "exec"), probe)
            observations = encode(probe["observe"](namespace))
        except BaseException as failure:  # noqa: BLE001
            observations = {"__error__": _clip(f"{type(failure).__name__}: {failure}")}
    result_pipe.write(json.dumps({"cells": cells, "observations": observations}, allow_nan=False))
    result_pipe.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no atexit handlers or finalizers of student objects after the result


def _clip(text, limit=2000):
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + " ..."


if __name__ == "__main__":
    main()
