"""The program that runs inside the sandbox (see course/engine/sandbox.py): untrusted cells, then a probe.

It is copied into each sandbox's read-only program folder and started there with `python -I`
under bubblewrap (course/engine/sandbox.py makes the namespaces, the mounts and the limits), so it imports
nothing from the course but the codec of what it sends back (helpers/codec.py, from the read-only
copy of helpers beside it). Protocol:

- stdin: one JSON job {"cells": [[cell_id, source], ...], "probe": source, "seed": int,
  "threads": int, "cell_seconds": float, "result_fd": int, "own_pids": bool, "output_chars": int,
  "figures": int, "figure_bytes": int};
- the file descriptor named by the job's "result_fd": one JSON document back, written once at the
  end: {"cells": [{"id", "error", "seconds", "output", "figures", "figures_made"}], "observations": ...},
  where observations is what the probe's `observe(namespace)` returned, encoded by
  helpers/codec.py (plain data and arrays only; the grader decodes it strictly); a cell's "output"
  is the start of what it printed to sys.stdout (at most "output_chars") and its "figures" the last matplotlib figures it left open, as base64 PNGs (at
  most "figures" in the whole run, none larger than "figure_bytes"), closed after each cell as
  Jupyter's inline backend does. They are shown in the feedback, never read as a verdict;
- stdout and stderr: whatever the cells print (kept by the parent for the feedback, never read as
  a verdict).
"""

import base64
import io
import json
import os
import signal
import sys
import time

from helpers import codec


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time (a BaseException: `except Exception` does not catch it)."""


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


def _end_strays():
    """Kill every other process of this sandbox (what a cell forked or left running) and reap them.

    Only in a pid namespace of our own (the job's "own_pids"), where kill(-1) reaches this run's
    processes and nothing else: bubblewrap's init (pid 1) and this process are spared. A copy that
    a cell forked in a loop is killed here, when the cell ends, instead of forking on while the
    next cells run.
    """
    for _ in range(10_000):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:  # no other process is left
            return
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:  # our own children, killed, are zombies until reaped
                pass
        except ChildProcessError:
            pass
        time.sleep(0.001)  # the orphans' reaper is bubblewrap's init


class _CellOutput(io.TextIOBase):
    """sys.stdout during a cell: everything goes on to the real stream; the first `limit`
    characters are kept for that cell's output in the feedback."""

    def __init__(self, stream, limit):
        self.stream, self.limit, self.kept = stream, limit, []
        self.size = 0

    def write(self, text):
        if self.size < self.limit:
            piece = str(text)[: self.limit - self.size]
            self.kept.append(piece)
            self.size += len(piece)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()

    def isatty(self):
        return False

    def text(self):
        return "".join(self.kept)


def _figures(room, largest):
    """The last `room` open matplotlib figures as base64 PNGs (small: 80 dpi at most), then close
    them all; and how many were open. Nothing when the cells never imported pyplot."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return [], 0
    kept, numbers = [], []
    try:
        numbers = pyplot.get_fignums()
        for number in numbers[-room:] if room > 0 else []:
            buffer = io.BytesIO()
            figure = pyplot.figure(number)
            figure.savefig(buffer, format="png", dpi=min(80, figure.dpi), bbox_inches="tight")  # as Jupyter shows it
            if buffer.tell() <= largest:
                kept.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
        pyplot.close("all")
    except Exception:  # noqa: BLE001 (a figure the student broke shows nothing; it costs nothing)
        pass
    return kept, len(numbers)


def _on_alarm(signum, frame):
    raise CellTimeout()


def main():
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    result_pipe = os.fdopen(job["result_fd"], "w")
    result_pipe.write(json.dumps(run_job(job), allow_nan=False))
    result_pipe.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no atexit handlers or finalizers of student objects after the result


def run_job(job):
    """Run the job's cells, then its probe: the result document (plain data, see the protocol above)."""
    origin = os.getpid()  # the process that reports; a copy forked inside a cell ends with that cell
    os.environ["MPLBACKEND"] = "Agg"  # plots render nowhere
    _seed(job["seed"], job["threads"])
    signal.signal(signal.SIGALRM, _on_alarm)
    namespace = {"__name__": "__main__"}
    cells = []
    figures_left = job["figures"]
    real_stdout = sys.stdout
    for cell_id, source in job["cells"]:
        started = time.perf_counter()
        error = None
        sys.stdout = output = _CellOutput(real_stdout, job["output_chars"])
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
            if job["own_pids"]:
                _end_strays()
            sys.stdout = real_stdout
        seconds = time.perf_counter() - started
        figures, made = _figures(figures_left, job["figure_bytes"])
        figures_left -= len(figures)
        cells.append(
            {
                "id": cell_id,
                "error": _clip(error),
                "seconds": seconds,
                "output": output.text(),
                "figures": figures,
                "figures_made": made,
            }
        )
    observations = None
    if job["probe"]:
        probe = {"__name__": "probe"}
        try:
            exec(compile(job["probe"], "<probe>", "exec"), probe)
            observations = codec.encode(probe["observe"](namespace))
        except BaseException as failure:  # noqa: BLE001
            observations = {"__error__": _clip(f"{type(failure).__name__}: {failure}")}
    return {"cells": cells, "observations": observations}


def _clip(text, limit=2000):
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + " ..."


if __name__ == "__main__":
    main()
