"""The sandbox that will run submissions (GRADING.md): each fault costs only what it should, with a
reason, and the run fails closed."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from course.engine import sandbox

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

QUICK = sandbox.Limits(wall_seconds=60, cell_seconds=20, memory_bytes=2 * 2**30, processes=32)
OBSERVE_X = "def observe(ns):\n    return {'x': ns['x']}\n"


def run(*sources, probe="", limits=QUICK, **kwargs):
    cells = [(f"c{i}", textwrap.dedent(source)) for i, source in enumerate(sources)]
    return sandbox.run(cells, probe=probe, limits=limits, **kwargs)


def errors(outcome):
    return [cell.error for cell in outcome.cells]


def test_cells_run_in_order_and_observations_come_back_as_data():
    outcome = run(
        "import torch\nx = torch.arange(6.0).view(2, 3)",
        "x = x * 2\nprint('done')",
        probe="def observe(ns):\n    return {'x': ns['x'], 'n': 3, 'nan': float('nan'), 'words': ['a']}\n",
    )
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
    outcome = run(
        "while True:\n    pass", "x = 'after'", probe=OBSERVE_X, limits=sandbox.Limits(wall_seconds=60, cell_seconds=1)
    )
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
    outcome = run(
        "blob = bytearray(8 * 2**30)",
        "hoard = []\nwhile True:\n    hoard.append(bytearray(2**26))",
        "del hoard\nx = 'alive'",
        probe=OBSERVE_X,
    )
    assert outcome.ok
    assert errors(outcome)[:2] == ["MemoryError: ", "MemoryError: "]
    assert outcome.observations == {"x": "alive"}


def test_files_the_run_writes_leave_the_heap_its_whole_limit():
    """The memory cgroup also counts the files in the run's tmpfs folders; its limit leaves room for
    them above the heap's, so a cell that fills the heap after 500 MiB of files still ends in its
    own MemoryError, not in the kernel's kill of the whole run."""
    outcome = run(
        "for name in ('a', 'b'):\n    with open(f'/tmp/{name}', 'wb') as file:\n        file.write(bytes(250 * 2**20))",
        "hoard = []\nwhile True:\n    hoard.append(bytearray(2**26))",
        "del hoard\nx = 'alive'",
        probe=OBSERVE_X,
    )
    assert outcome.ok, outcome.reason
    assert errors(outcome) == [None, "MemoryError: ", None]
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
    outcome = run(
        fork,
        "import os\nx = os.getpid()\nprint('next cell', x)",
        probe=OBSERVE_X,
        limits=sandbox.Limits(wall_seconds=60, cell_seconds=20, processes=16),
    )
    assert outcome.ok and errors(outcome) == [None, None]
    assert outcome.stdout.count("next cell") == 1 and outcome.observations["x"] == int(outcome.stdout.split()[-1])


def test_a_process_a_cell_leaves_running_ends_with_that_cell():
    """What a cell starts and leaves behind (a child, a fork that escaped into a new session) is
    killed when the cell ends, so it cannot compete with the next cells for the run's time."""
    outcome = run(
        "import subprocess\nchild = subprocess.Popen(['sleep', '60'], start_new_session=True)",
        "import os\ntry:\n    os.kill(child.pid, 0)\n    x = 'running'\nexcept ProcessLookupError:\n    x = 'gone'",
        probe=OBSERVE_X,
    )
    assert outcome.ok and errors(outcome) == [None, None]
    assert outcome.observations["x"] == "gone"  # killed (and reaped) at the end of the first cell


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
    outcome = run(
        hog,
        probe="def observe(ns):\n    return {'killed': ns['killed']}\n",
        limits=sandbox.Limits(
            wall_seconds=60, cell_seconds=30, memory_bytes=2**30, memory_in_all_bytes=2**30, processes=32
        ),
    )
    if not any("GiB of memory in all" in layer for layer in outcome.isolation):
        pytest.skip("no memory cgroup can be made here (not root, no delegated cgroup tree)")
    # the kernel kills the largest process: some of the copies, or the notebook's own (then no result)
    if outcome.ok:
        assert outcome.observations["killed"] >= 1
    else:
        assert outcome.status == "crashed" and "SIGKILL" in outcome.reason and "resource limit" in outcome.reason
    assert _sandbox_processes(outcome.folder) == []


def test_huge_output_is_cut_and_costs_nothing():
    outcome = run("print('x' * 50_000_000)\nx = 1", probe=OBSERVE_X, limits=sandbox.Limits(output_bytes=10_000))
    assert outcome.ok and outcome.observations == {"x": 1}
    assert len(outcome.stdout) < 10_100 and outcome.stdout.endswith("[output cut at 10,000 bytes]")


def test_each_cell_keeps_what_it_printed_and_drew_within_the_caps():
    """For the feedback page: a cell's own output (its start) and its last figures, as PNGs; the
    whole run keeps at most Limits.figures; stdout still holds everything."""
    import base64

    draw = "import matplotlib.pyplot as plt\nfor k in range({n}):\n    plt.figure(figsize=(2, 2)); plt.plot([0, k])\n"
    limits = sandbox.Limits(wall_seconds=60, cell_seconds=20, figures=4, cell_output_chars=100)
    outcome = run("print('hello')\n" + draw.format(n=3), "print('y' * 5000)", draw.format(n=5), "x = 1", limits=limits)
    assert outcome.ok, outcome.reason
    first, second, third, fourth = outcome.cells
    assert (first.output, second.output, third.output, fourth.output) == ("hello\n", "y" * 100, "", "")
    assert [len(c.figures) for c in outcome.cells] == [3, 0, 1, 0]  # the budget, spent in order
    assert [c.figures_left_out for c in outcome.cells] == [0, 0, 4, 0]  # said on the page
    assert all(base64.b64decode(f).startswith(sandbox.PNG_SIGNATURE) for c in outcome.cells for f in c.figures)
    assert "y" * 5000 in outcome.stdout
    tiny = sandbox.Limits(wall_seconds=60, cell_seconds=20, figure_bytes=500)
    (big,) = run(draw.format(n=1), limits=tiny).cells
    assert big.figures == [] and big.figures_left_out == 1  # larger than the cap: left out


def test_a_forged_cell_report_shows_only_pngs_within_the_caps():
    """Student code can write the cells' report itself: what reaches the feedback is checked here."""
    import base64

    png = sandbox.PNG_SIGNATURE + b"rest"
    limits = sandbox.Limits(figures=2, figure_bytes=1000, cell_output_chars=10)
    reported = [
        {
            "id": "a",
            "error": None,
            "seconds": 1,
            "output": "z" * 50,
            "figures": [
                base64.b64encode(b"<svg onload=alert(1)>").decode(),
                base64.b64encode(png).decode(),
                base64.b64encode(png + b"x" * 2000).decode(),
                7,
            ],
        },
        {
            "id": "b",
            "error": None,
            "seconds": 1,
            "output": ["not", "text"],
            "figures": [base64.b64encode(png).decode()] * 3,
        },
    ]
    reported[0]["figures_made"], reported[1]["figures_made"] = "many", 99
    runs = sandbox._cell_runs(reported, limits)
    assert [r.output for r in runs] == ["z" * 10, ""]
    assert [r.figures_left_out for r in runs] == [0, 98]
    assert [len(r.figures) for r in runs] == [1, 1]
    with pytest.raises(ValueError):
        sandbox._cell_runs([{"id": "a", "error": None, "seconds": 1, "figures": ["not base64!"]}], limits)
    with pytest.raises(TypeError):
        sandbox._cell_runs([{"id": "a", "error": {"rigged": 1}, "seconds": 1}], limits)


def test_a_result_over_its_cap_is_an_output_limit():
    outcome = run(
        "import numpy as np\nx = np.zeros(10_000_000, dtype=np.float32)",
        probe=OBSERVE_X,
        limits=sandbox.Limits(result_bytes=1_000_000),
    )
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
        "__error__": "TypeError: cannot send a __main__.AlwaysEqual out of the sandbox"
    }
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


def test_zero_dimensional_arrays_keep_their_shape():
    outcome = run("import torch, numpy as np\nx = [torch.tensor(2.5), np.zeros((), dtype=np.float32)]", probe=OBSERVE_X)
    assert [a.shape for a in outcome.observations["x"]] == [(), ()]
    assert float(outcome.observations["x"][0]) == 2.5


# ------------------------------------------------------------------------------------------------
# isolation (bubblewrap): these run wherever the suite runs, as root in CI and as an ordinary user
# in tests/test_ordinary_user.py; a machine that cannot isolate fails them (never a silent skip)


def observe(*names):
    return "def observe(ns):\n    return {" + ", ".join(f"{n!r}: ns[{n!r}]" for n in names) + "}\n"


def test_the_sandbox_is_isolated_and_says_how():
    outcome = run("x = 1", probe=OBSERVE_X)
    assert outcome.ok and outcome.isolated
    assert outcome.isolation[0].startswith("bubblewrap ")
    assert "no network" in outcome.isolation


def test_only_a_minimal_view_of_the_host_is_there():
    """No course folder (answers, gradebook, sources), no home, no other checkout: only the system,
    Python, the data and the program's own folder, read-only; its home and /tmp are its own."""
    home = Path(os.path.expanduser("~"))
    outcome = run(
        f"""
    import os, sys
    top = sorted(os.listdir('/'))
    course = sorted(os.listdir({str(sandbox.COURSE_ROOT)!r})) if os.path.isdir({str(sandbox.COURSE_ROOT)!r}) else []
    answers = os.path.exists({str(sandbox.COURSE_ROOT / "answers" / "hidden")!r})
    home = os.path.exists({str(home / ".bash_history")!r}) or sorted(os.listdir({str(home)!r})) if os.path.isdir({str(home)!r}) else []
    grader = sorted(os.listdir('/grader'))
    import helpers, torch
    where = helpers.__file__
    ids = [os.getuid(), os.getgid()]
    """,
        probe=observe("top", "course", "answers", "home", "grader", "where", "ids"),
    )
    assert outcome.ok and errors(outcome) == [None], outcome.cells
    seen = outcome.observations
    data = sandbox._data_dir(None)  # GAN_DATA_DIR, or the default folder in the home (~/.cache)
    assert seen["answers"] is False
    assert set(seen["course"]) <= {".venv"}  # the Python environment, where it lies inside the course
    assert set(seen["top"]) <= {
        "bin",
        "dev",
        "etc",
        "grader",
        "home",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "sbin",
        "tmp",
        "usr",
        *{p.parts[1] for p in map(Path, (sys.prefix, sys.base_prefix))},
        data.parts[1],
    }
    assert "sys" not in seen["top"]
    assert seen["grader"] == ["helpers", "sandbox_child.py"]
    assert seen["where"] == "/grader/helpers/__init__.py"
    assert seen["ids"] == [sandbox.INSIDE_UID] * 2
    bound = {Path(sys.prefix), *Path(sys.prefix).parents, *Path(sys.base_prefix).parents, data, *data.parents}
    if home not in bound:
        assert seen["home"] == []
    else:  # the Python environment or the data lies in the home folder: only their own folders are there
        assert all((home / name) in bound for name in seen["home"])


def test_nothing_of_the_host_can_be_written():
    """The Python environment (site-packages: a .pth there would run in the grader), the standard
    library, /usr, /etc, the data and the program's folder are read-only; a write fails."""
    import site

    targets = [
        Path(site.getsitepackages()[0]) / "evil.pth",
        Path(os.__file__).with_name("evil.py"),
        Path("/usr/evil"),
        Path("/etc/evil"),
        Path("/grader/helpers/evil.py"),
        Path("/grader/sandbox_child.py"),
        Path(os.environ.get("GAN_DATA_DIR", "/usr")) / "evil",
    ]
    outcome = run(
        f"""
    import errno
    results = []
    for path in {[str(t) for t in targets]!r}:
        try:
            with open(path, 'a') as handle:
                handle.write('import os')
            results.append('written')
        except OSError as error:
            results.append(errno.errorcode[error.errno])
    """,
        probe=observe("results"),
    )
    assert outcome.ok, outcome.reason
    assert all(result in {"EROFS", "EACCES", "ENOENT", "EPERM"} for result in outcome.observations["results"]), dict(
        zip(map(str, targets), outcome.observations["results"])
    )
    assert not any(t.exists() for t in targets if not str(t).startswith("/grader"))


def test_its_writable_folders_are_private_capped_and_gone_afterwards(monkeypatch):
    marker = f"gan-sandbox-leak-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    made, real = [], tempfile.TemporaryDirectory  # this run's folders, told from other tests' sandboxes

    def noted(*args, **kwargs):
        folder = real(*args, **kwargs)
        made.append(Path(folder.name))
        return folder

    monkeypatch.setattr(tempfile, "TemporaryDirectory", noted)
    outcome = run(
        f"""
    import errno, os
    open('/tmp/{marker}', 'w').write('left behind?')
    open('/dev/shm/{marker}', 'w').write('left behind?')
    open('notes.txt', 'w').write('my own')
    try:
        with open('/tmp/big', 'wb') as handle:
            for _ in range(40):
                handle.write(bytes(2**20))
        full = 'no'
    except OSError as error:
        full = errno.errorcode[error.errno]
    home = os.getcwd()
    """,
        probe=observe("full", "home"),
        limits=sandbox.Limits(wall_seconds=60, cell_seconds=20, disk_bytes=16 * 2**20),
    )
    assert outcome.ok, outcome.reason
    assert outcome.observations == {"full": "ENOSPC", "home": sandbox.HOME}
    assert not Path("/tmp", marker).exists() and not Path("/dev/shm", marker).exists()
    assert made and not any(folder.exists() for folder in made), "the run's folder is removed"


def test_no_capabilities_no_mounts_no_kernel_settings_no_disks():
    outcome = run(
        """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    unmount = [libc.umount2(b'/usr', 2), ctypes.get_errno()]
    mount = [libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno()]
    try:
        open('/proc/sys/vm/drop_caches', 'w').write('1')
        sysctl = 'written'
    except OSError as error:
        sysctl = type(error).__name__
    devices = sorted(os.listdir('/dev'))
    caps = [line.split()[1] for line in open('/proc/self/status') if line.startswith(('CapEff', 'CapPrm', 'CapBnd'))]
    cgroups = os.path.exists('/sys/fs/cgroup')
    userns = [libc.unshare(0x10000000), ctypes.get_errno()]  # CLONE_NEWUSER
    """,
        probe=observe("unmount", "mount", "sysctl", "devices", "caps", "cgroups", "userns"),
    )
    assert outcome.ok and errors(outcome) == [None], (outcome.reason, outcome.cells)
    seen = outcome.observations
    assert seen["unmount"][0] == -1 and seen["mount"][0] == -1
    assert seen["sysctl"] in {"OSError", "PermissionError"}
    assert not any(name.startswith(("sd", "vd", "nvme", "loop", "mem", "kmsg")) for name in seen["devices"])
    assert seen["caps"] == ["0000000000000000"] * 3 and seen["cgroups"] is False
    assert seen["userns"][0] == -1


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


def test_other_processes_and_the_environment_are_out_of_reach():
    os.environ["GAN_TEST_SECRET"] = "instructor-only"
    try:
        outcome = run(
            f"""
        import os
        pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
        leak = os.path.exists('/proc/{os.getpid()}/root{sandbox.COURSE_ROOT / "answers"}')
        secret = os.environ.get('GAN_TEST_SECRET')
        """,
            probe=observe("pids", "leak", "secret"),
        )
    finally:
        del os.environ["GAN_TEST_SECRET"]
    assert outcome.ok, outcome.reason
    assert len(outcome.observations["pids"]) <= 2 and max(outcome.observations["pids"]) <= 2  # bwrap's init and itself
    assert outcome.observations["leak"] is False and outcome.observations["secret"] is None


def test_a_new_session_does_not_outlive_the_run():
    """A daemon (fork, setsid, fork again) ends with the run: its PID namespace ends with it."""
    outcome = run(
        """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(120)
        os._exit(0)
    time.sleep(0.5)
    x = 1
    """,
        probe=OBSERVE_X,
    )
    assert outcome.ok and outcome.observations == {"x": 1}
    time.sleep(0.5)
    assert _sandbox_processes(outcome.folder) == []


def test_the_data_folder_is_there_read_only_and_nothing_beside_it(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "images.idx").write_text("pixels")
    (tmp_path / "answers.npz").write_text("secret")
    outcome = sandbox.run(
        [
            (
                "c0",
                f"import os\nlisting = sorted(os.listdir({str(tmp_path)!r}))\n"
                f"data = open({str(tmp_path / 'data' / 'images.idx')!r}).read()",
            )
        ],
        probe=observe("listing", "data"),
        limits=QUICK,
        env={"GAN_DATA_DIR": str(tmp_path / "data")},
    )
    assert outcome.ok, outcome.reason
    assert outcome.observations == {"listing": ["data"], "data": "pixels"}


# --- run_forked: the sandbox's protocol for the course's own code, without the sandbox ------------


def forked(*sources, probe="", limits=QUICK):
    cells = [(f"c{i}", textwrap.dedent(source)) for i, source in enumerate(sources)]
    return sandbox.run_forked(cells, probe=probe, limits=limits)


def test_a_forked_run_speaks_the_sandboxs_protocol_and_says_it_is_not_one():
    outcome = forked(
        "import torch\nx = torch.arange(3.0)\nprint('done')",
        "1 / 0",
        probe="def observe(ns):\n    return {'x': ns['x'], 'threads': __import__('torch').get_num_threads()}\n",
    )
    assert outcome.ok and errors(outcome) == [None, "ZeroDivisionError: division by zero"]
    assert outcome.observations["x"].tolist() == [0, 1, 2] and outcome.observations["threads"] == 1
    assert outcome.stdout == "done\n" and outcome.cells[0].output == "done\n"
    assert not outcome.isolated and outcome.isolation[0].startswith("FORKED")


def test_each_forked_run_starts_from_the_same_warm_interpreter():
    """What one run changes (a module patched, a variable, the working folder's files, the
    environment) is not there in the next; the answers are out of reach as in the sandbox."""
    change = "import helpers, os\nhelpers.LEFT_BEHIND = 1\nos.environ['LEFT'] = '1'\nopen('left.txt', 'w').write('x')"
    look = (
        "def observe(ns):\n    import helpers, os\n"
        "    return [hasattr(helpers, 'LEFT_BEHIND'), 'LEFT' in os.environ, os.path.exists('left.txt'),\n"
        "            os.path.isdir(os.environ['GAN_ANSWERS_DIR']), __import__('sys').modules.get('torch') is not None]\n"
    )
    assert forked(change, probe=look).observations == [True, True, True, False, True]
    assert forked("pass", probe=look).observations == [False, False, False, False, True]


def test_a_forked_run_keeps_the_time_limits_and_fails_closed():
    endless = forked("while True:\n    pass", "x = 2", probe=OBSERVE_X, limits=sandbox.Limits(cell_seconds=1))
    assert endless.ok and errors(endless)[0].startswith("CellTimeout") and endless.observations == {"x": 2}
    stuck = forked("import time\ntime.sleep(60)", limits=sandbox.Limits(wall_seconds=2, cell_seconds=30))
    assert stuck.status == "timeout" and "longer than 2 s" in stuck.reason
    crash = forked("import os\nos._exit(3)")
    assert crash.status == "crashed" and "exited (code 3)" in crash.reason
