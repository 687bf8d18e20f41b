"""Record and replay: one check's code, run twice, so that the verdict is reached outside the sandbox.

Every value a check takes from student code passes through `observe` (`run_student`, `answered`
and the call sites in course/grader.py do this). A check then runs in one of three modes:

- **direct** (the default, in the student's notebook): `observe` returns the value; the check
  judges in the student's kernel (the visible feedback).
- **recording** (in the sandbox, at grading): `observe` also appends the value, as plain data, to a
  log; the check's verdict there is thrown away, and since the reference answers are not in the
  sandbox, `load_answers` gives placeholders and `expect` does not raise there.
- **replaying** (in the grader, outside): the student's code is not there; `observe` returns the
  next value of the log instead (a student exception comes back as the same AssertionError), and
  the same check code judges it against the real reference answers.

Data only crosses: numbers, strings, booleans, None, lists, dicts with str keys, NumPy arrays and
tensors (restored as tensors). A value of any other type (a module, a rigged object) is logged as
"cannot be checked" and fails its check on replay.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch

DIRECT, RECORDING, REPLAYING = "direct", "recording", "replaying"
_state = {"mode": DIRECT, "log": None}


class IncompleteLog(AssertionError):
    """The replay needs a value the recording does not have: the grade fails closed."""


def mode() -> str:
    return _state["mode"]


def recording() -> bool:
    return _state["mode"] == RECORDING


@contextlib.contextmanager
def record():
    """Record the values observed inside; yields the log (a list of plain data)."""
    saved = dict(_state)
    _state.update(mode=RECORDING, log=[])
    try:
        yield _state["log"]
    finally:
        _state.update(saved)


@contextlib.contextmanager
def replay(log: list):
    """Replay `log` to the checks run inside."""
    saved = dict(_state)
    _state.update(mode=REPLAYING, log=list(log))
    try:
        yield
    finally:
        _state.update(saved)


def observe(label: str, value):
    """A value from student code: passed on (direct), logged (recording) or replayed (replaying)."""
    if _state["mode"] == RECORDING:
        _state["log"].append({"label": label, "value": to_data(value)})
        return value
    if _state["mode"] == REPLAYING:
        return _replayed(label)
    return value


def observe_call(label: str, fn, *args, **kwargs):
    """fn(*args, **kwargs) as one observation; an exception in it is observed too, then raised.

    fn may call student code and compute from it (observations inside are part of this one), but
    must not judge: while recording it runs in the sandbox, where the student's code could have
    replaced any judge. It returns data; the judging comes after, on the recorded value."""
    if _state["mode"] == REPLAYING:
        return _replayed(label)
    recording = _state["mode"] == RECORDING
    try:
        if recording:  # one observation: what fn observes inside is part of it, not logged again
            _state["mode"] = DIRECT
        try:
            value = fn(*args, **kwargs)
        finally:
            if recording:
                _state["mode"] = RECORDING
    except Exception as error:
        if recording:
            raised = ["NotImplementedError", str(error)] if isinstance(error, NotImplementedError) else \
                ["AssertionError", str(error) if isinstance(error, AssertionError)
                 else f"{label} raised {type(error).__name__}: {error}"]
            _state["log"].append({"label": label, "raised": raised})
        raise
    return observe(label, value)


def _replayed(label: str):
    log = _state["log"]
    if not log:
        raise IncompleteLog(f"the sandbox did not report {label} (the notebook stopped, or changed the checks)")
    entry = log.pop(0)
    if type(entry) is not dict or entry.get("label") != label:
        raise IncompleteLog(f"the sandbox reported something else where {label} was expected "
                            "(the notebook changed the checks)")
    if "raised" in entry:
        kind, message = entry["raised"]
        raise (NotImplementedError if kind == "NotImplementedError" else AssertionError)(str(message))
    return from_data(entry.get("value"))


class Uncheckable:
    """A value that could not leave the sandbox: any use of it fails the check with the reason."""

    def __init__(self, reason: str):
        self.reason = reason

    def _fail(self, *args, **kwargs):
        raise AssertionError(self.reason)

    __float__ = __int__ = __index__ = __iter__ = __len__ = __getitem__ = __call__ = _fail
    __eq__ = __lt__ = __gt__ = __le__ = __ge__ = __bool__ = _fail

    def __repr__(self):
        return f"<{self.reason}>"


class ModuleStandIn(torch.nn.Module):
    """On replay, the model a student's builder returned in the sandbox: the checks' questions to it
    (parameter count, layers, outputs) are answered from the record, never by running it here."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def forward(self, *args, **kwargs):
        raise AssertionError(f"a {self.kind} cannot be run outside the sandbox")

    def extra_repr(self) -> str:
        return f"stand-in for a {self.kind}"


def to_data(value, depth: int = 0):
    """`value` as plain data (exact types only), tensors and arrays tagged; else an 'uncheckable' tag."""
    kind = type(value)
    if depth > 20:
        return {"uncheckable": "a value nested deeper than 20 levels"}
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind in (list, tuple):
        return {"tuple" if kind is tuple else "list": [to_data(item, depth + 1) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"dict": {key: to_data(item, depth + 1) for key, item in value.items()}}
    if kind is torch.Tensor:
        return {"tensor": value.detach().cpu().numpy()}
    if kind is np.ndarray:
        return {"array": value}
    if isinstance(value, (np.bool_, np.integer, np.floating)) and type(value).__module__ == "numpy":
        return {"numpy_scalar": np.asarray(value).reshape(1)}
    if isinstance(value, torch.nn.Module):  # what a model builder returned: the checks ask it questions
        return {"module": f"{kind.__module__}.{kind.__qualname__}"}  # through observed helpers
    return {"uncheckable": f"a {kind.__module__}.{kind.__qualname__} cannot be checked outside the sandbox"}


def from_data(data):
    """The inverse of `to_data` (arrays arrive as NumPy arrays)."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise IncompleteLog(f"a malformed observation: {str(data)[:100]}")
    (tag, content), = data.items()
    if tag == "float":
        return float(content)
    if tag == "list":
        return [from_data(item) for item in content]
    if tag == "tuple":
        return tuple(from_data(item) for item in content)
    if tag == "dict":
        return {key: from_data(item) for key, item in content.items()}
    if tag == "tensor":
        return torch.from_numpy(np.array(content))
    if tag == "array":
        return np.array(content)
    if tag == "numpy_scalar":
        return np.array(content).reshape(())[()]
    if tag == "uncheckable":
        return Uncheckable(str(content))
    if tag == "module":
        return ModuleStandIn(str(content))
    raise IncompleteLog(f"an observation of unknown kind {tag!r}")


class _Unknown:
    """The reference answers while recording (they are not in the sandbox): each entry is a
    placeholder that indexing, float(), int() and arithmetic accept, so that the check goes on to
    record everything it takes from student code. A check must therefore never take the *inputs*
    it gives student code from the answers: those would be wrong while recording."""

    def __getitem__(self, key):
        return _Placeholder()


class _Placeholder:
    def __getitem__(self, key):
        return self

    def __array__(self, dtype=None, copy=None):
        return np.zeros((), dtype=dtype or np.float32)

    def __float__(self):
        return 0.0

    def __int__(self):
        return 0

    def __bool__(self):
        return False

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def copy(self):
        return self

    def astype(self, *args, **kwargs):
        return self


def unknown_answers():
    return _Unknown()
