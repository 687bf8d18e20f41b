"""The sandbox that will run submissions (GRADING.md): each fault costs only what it should, with a
reason, and the run fails closed."""

from __future__ import annotations

import os
import socket
import textwrap
import threading

import numpy as np
import pytest

from course import sandbox

QUICK = sandbox.Limits(wall_seconds=60, cell_seconds=20, memory_bytes=2 * 2**30, processes=32)
OBSERVE_X = "def observe(ns):\n    return {'x': ns['x']}\n"


def run(*sources, probe="", limits=QUICK, **kwargs):
    cells = [(f"c{i}", textwrap.dedent(source)) for i, source in enumerate(sources)]
    return sandbox.run(cells, probe=probe, limits=limits, **kwargs)


def errors(outcome):
    return [cell.error for cell in outcome.cells]


def test_cells_run_in_order_and_observations_come_back_as_data():
    outcome = run("import torch\nx = torch.arange(6.0).view(2, 3)", "x = x * 2\nprint('done')",
                  probe="def observe(ns):\n    return {'x': ns['x'], 'n': 3, 'nan': float('nan'), 'words': ['a']}\n")
    assert outcome.ok and outcome.reason == ""
    assert errors(outcome) == [None, None]
    observed = outcome.observations
    assert observed["x"].dtype == np.float32 and observed["x"].tolist() == [[0, 2, 4], [6, 8, 10]]
    assert observed["n"] == 3 and np.isnan(observed["nan"]) and observed["words"] == ["a"]
    assert outcome.stdout == "done\n"


def test_a_failing_cell_is_recorded_and_the_next_cells_still_run():
    outcome = run("x = 1", "1 / 0", "import sys\nsys.exit(3)", "x = x + 1", probe=OBSERVE_X)
    assert outcome.ok
    assert errors(outcome) == [None, "ZeroDivisionError: division by zero", "SystemExit: 3", None]
    assert outcome.observations == {"x": 2}


def test_warnings_on_stderr_do_not_fail_anything():
    outcome = run("import warnings\nwarnings.warn('deprecated')\nx = 5", probe=OBSERVE_X)
    assert outcome.ok and errors(outcome) == [None] and outcome.observations == {"x": 5}
    assert "UserWarning: deprecated" in outcome.stderr


def test_the_run_is_seeded_and_single_threaded():
    source = "import torch, numpy as np, random\nx = [torch.rand(2).tolist(), np.random.rand(), random.random(), torch.get_num_threads()]"
    first, second = run(source, probe=OBSERVE_X), run(source, probe=OBSERVE_X)
    assert first.observations == second.observations
    assert first.observations["x"][3] == 1


def test_an_endless_cell_is_stopped_and_the_notebook_goes_on():
    outcome = run("while True:\n    pass", "x = 'after'", probe=OBSERVE_X,
                  limits=sandbox.Limits(wall_seconds=60, cell_seconds=1))
    assert outcome.ok
    assert errors(outcome)[0].startswith("CellTimeout: the cell ran longer than 1 s")
    assert outcome.observations == {"x": "after"}


def test_a_loop_that_swallows_the_alarm_hits_the_wall_clock():
    stubborn = """
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
    """
    outcome = run(stubborn, limits=sandbox.Limits(wall_seconds=4, cell_seconds=1))
    assert outcome.status == "timeout"
    assert "longer than 4 s in total" in outcome.reason
    assert outcome.observations is None and outcome.cells == []  # no verdict material: fails closed


def test_os_exit_is_a_crash_not_a_result():
    outcome = run("x = 1", "import os\nos._exit(0)", probe=OBSERVE_X)
    assert outcome.status == "crashed"
    assert "exited (code 0) before it finished" in outcome.reason


def test_a_segfault_is_a_crash_with_the_signal_named():
    outcome = run("import ctypes\nctypes.string_at(0)")
    assert outcome.status == "crashed"
    assert "SIGSEGV" in outcome.reason and "native code" in outcome.reason


def test_a_memory_bomb_fails_its_cell_only():
    outcome = run("blob = bytearray(8 * 2**30)", "hoard = []\nwhile True:\n    hoard.append(bytearray(2**26))",
                  "del hoard\nx = 'alive'", probe=OBSERVE_X)
    assert outcome.ok
    assert errors(outcome)[:2] == ["MemoryError: ", "MemoryError: "]
    assert outcome.observations == {"x": "alive"}


def test_a_fork_bomb_is_contained_and_leaves_no_process_behind():
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    outcome = run(bomb, limits=sandbox.Limits(wall_seconds=5, cell_seconds=60, processes=16))
    assert outcome.status in {"timeout", "crashed"}
    assert outcome.reason
    assert _sandbox_processes(outcome.folder) == []  # this run's (other test sessions may run their own)


def test_copies_forked_in_a_cell_end_with_it():
    """Only the process that ran the notebook goes on to the next cell and reports."""
    fork = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        break"
    outcome = run(fork, "import os\nx = os.getpid()\nprint('next cell', x)", probe=OBSERVE_X,
                  limits=sandbox.Limits(wall_seconds=60, cell_seconds=20, processes=16))
    assert outcome.ok and errors(outcome) == [None, None]
    assert outcome.stdout.count("next cell") == 1 and outcome.observations["x"] == int(outcome.stdout.split()[-1])


def test_memory_is_limited_for_all_the_processes_together():
    """A memory cgroup (where one can be made) holds the run and everything it forks to the limit in
    all: eight forked copies of 200 MB each, each far below the per-process limit, do not all fit
    in 1 GiB, so the kernel kills some of them."""
    hog = """
    import os, signal, time
    children = []
    for _ in range(8):
        pid = os.fork()
        if pid == 0:
            block = bytearray(200 * 2**20)
            block[::4096] = b'x' * len(block[::4096])  # touch every page
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    killed = sum(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
                 for status in (os.waitpid(pid, 0)[1] for pid in children))
    """
    outcome = run(hog, probe="def observe(ns):\n    return {'killed': ns['killed']}\n",
                  limits=sandbox.Limits(wall_seconds=60, cell_seconds=30, memory_bytes=2**30, processes=32))
    if not any("GiB of memory in all" in layer for layer in outcome.isolation):
        pytest.skip("no memory cgroup can be made here (not root, no delegated cgroup tree)")
    # the kernel kills the largest process: some of the copies, or the notebook's own (then no result)
    if outcome.ok:
        assert outcome.observations["killed"] >= 1
    else:
        assert outcome.status == "crashed" and "SIGKILL" in outcome.reason and "resource limit" in outcome.reason
    assert _sandbox_processes(outcome.folder) == []


def test_huge_output_is_cut_and_costs_nothing():
    outcome = run("print('x' * 50_000_000)\nx = 1", probe=OBSERVE_X,
                  limits=sandbox.Limits(output_bytes=10_000))
    assert outcome.ok and outcome.observations == {"x": 1}
    assert len(outcome.stdout) < 10_100 and outcome.stdout.endswith("[output cut at 10,000 bytes]")


def test_a_result_over_its_cap_is_an_output_limit():
    outcome = run("import numpy as np\nx = np.zeros(10_000_000, dtype=np.float32)", probe=OBSERVE_X,
                  limits=sandbox.Limits(result_bytes=1_000_000))
    assert outcome.status == "output_limit" and "1,000,000 bytes" in outcome.reason


def test_only_plain_data_leaves_the_sandbox():
    rigged = """
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class Float(float):
        def __eq__(self, other):
            return True

    x = AlwaysEqual()
    y = Float(1.0)
    """
    probe = "def observe(ns):\n    return {'x': ns['x']}\n"
    assert run(rigged, probe=probe).observations == {
        "__error__": "TypeError: cannot send a __main__.AlwaysEqual out of the sandbox"}
    probe = "def observe(ns):\n    return {'y': ns['y']}\n"
    assert run(rigged, probe=probe).observations["__error__"].startswith("TypeError: cannot send a __main__.Float")


def test_a_forged_result_fails_closed():
    forge = """
    import os
    for fd in os.listdir('/proc/self/fd'):
        try:
            os.write(int(fd), b'{"cells": [], "observations": {"x": "forged"}}')
        except OSError:
            pass
    x = 1
    """
    outcome = run(forge, probe=OBSERVE_X)
    assert outcome.status == "error" and "could not be read" in outcome.reason
    assert outcome.observations is None


namespaces = pytest.mark.skipif(not sandbox._namespaces_available(),
                                reason="this kernel does not allow new mount and network namespaces")


@namespaces
def test_the_course_folder_is_hidden_but_python_still_works():
    probe = "def observe(ns):\n    return {'listing': ns['listing'], 'answers': ns['answers']}\n"
    outcome = run(f"""
    import os
    listing = sorted(os.listdir({str(sandbox.COURSE_ROOT)!r}))
    answers = os.path.exists({str(sandbox.COURSE_ROOT / 'answers')!r})
    import helpers, torch
    """, probe=probe)
    assert outcome.ok, outcome.reason
    assert errors(outcome) == [None]
    assert outcome.observations == {"listing": [".venv"], "answers": False}
    assert f"{sandbox.COURSE_ROOT} hidden" in outcome.isolation


@namespaces
def test_root_in_the_sandbox_has_no_capabilities_left():
    """Started as root (CI), the code cannot unmount what hides the course folder, write kernel
    settings or the cgroups that limit it, or reach a disk."""
    if os.getuid() != 0:
        pytest.skip("not root: the sandbox runs as this user, in a user namespace")
    probe = "def observe(ns):\n    return {k: ns[k] for k in ('unmount', 'sysctl', 'devices', 'cgroups', 'caps')}\n"
    outcome = run(f"""
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    unmount = [libc.umount2({str(sandbox.COURSE_ROOT)!r}.encode(), 2), ctypes.get_errno()]
    try:
        open('/proc/sys/vm/drop_caches', 'w').write('1')
        sysctl = 'written'
    except OSError as error:
        sysctl = error.strerror
    devices = sorted(os.listdir('/dev'))
    cgroups = os.listdir('/sys/fs/cgroup')
    caps = [line.split()[1] for line in open('/proc/self/status') if line.startswith(('CapEff', 'CapBnd'))]
    """, probe=probe)
    assert outcome.ok, outcome.reason
    observed = outcome.observations
    assert observed["unmount"] == [-1, 1]  # EPERM
    assert observed["sysctl"] == "Read-only file system"
    assert observed["devices"] == ["fd", "full", "null", "random", "shm", "stderr", "stdin", "stdout", "urandom", "zero"]
    assert observed["cgroups"] == [] and observed["caps"] == ["0000000000000000"] * 2
    assert any("root without capabilities" in layer for layer in outcome.isolation)


@namespaces
def test_there_is_no_network():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    try:
        outcome = run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)")
    finally:
        server.close()
    assert outcome.ok
    assert errors(outcome)[0].split(":")[0] in {"ConnectionRefusedError", "OSError", "TimeoutError"}
    assert "no network" in outcome.isolation


def _sandbox_processes(folder: str) -> list[int]:
    """The processes whose command line names `folder` (a sandbox's and everything it forked)."""
    assert folder
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    if folder.encode() in handle.read():
                        found.append(int(entry.name))
            except OSError:
                pass
    return found


@namespaces
def test_other_processes_and_their_view_of_the_files_are_out_of_reach():
    probe = "def observe(ns):\n    return {'pids': ns['pids'], 'leak': ns['leak']}\n"
    outcome = run(f"""
    import os
    pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
    leak = os.path.exists('/proc/{os.getpid()}/root{sandbox.COURSE_ROOT / 'answers'}')
    """, probe=probe)
    assert outcome.ok, outcome.reason
    assert outcome.observations == {"pids": [1], "leak": False}  # only the sandbox itself, as PID 1


def test_zero_dimensional_arrays_keep_their_shape():
    outcome = run("import torch, numpy as np\nx = [torch.tensor(2.5), np.zeros((), dtype=np.float32)]", probe=OBSERVE_X)
    assert [a.shape for a in outcome.observations["x"]] == [(), ()]
    assert float(outcome.observations["x"][0]) == 2.5


@namespaces
def test_the_data_folder_stays_visible_inside_a_hidden_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "images.idx").write_text("pixels")
    (tmp_path / "answers.npz").write_text("secret")
    probe = "def observe(ns):\n    return {'listing': ns['listing'], 'data': ns['data']}\n"
    outcome = sandbox.run([("c0", f"import os\nlisting = sorted(os.listdir({str(tmp_path)!r}))\n"
                                  f"data = open({str(tmp_path / 'data' / 'images.idx')!r}).read()")],
                          probe=probe, limits=QUICK, hide=tmp_path, env={"GAN_DATA_DIR": str(tmp_path / "data")})
    assert outcome.ok, outcome.reason
    assert outcome.observations == {"listing": ["data"], "data": "pixels"}
