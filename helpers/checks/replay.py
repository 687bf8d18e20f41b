"""Record and replay: one check's code, run twice, so that the verdict is reached outside the sandbox.

Every value a check takes from student code passes through `observe` (`run_student`, `answered`
and the call sites in course/engine/grader.py do this). A check then runs in one of three modes:

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

What the sandbox records is raw data only (issue 12): what student functions returned, and the raw
state of objects that student code acted on. Every fact derived from it (a trajectory, a
convergence boundary, a count, a verdict) is computed by the check itself, so that it is computed
again outside on the replayed data; course code that ran in the sandbox is never trusted. Three
ways in:

- `observe(label, value)`: a value from student code (an answer, a check's argument).
- `call(label, fn, *args)` and `observed(label, fn)`: calls of student code. Each call is one
  entry {label, a digest of its arguments, its result (or its exception)}; while replaying, the
  result comes from the log and the arguments the check passes now must have the digest recorded
  (else the log is inconsistent: IncompleteLog). So a course computation that calls student code
  through `observed` (e.g. `games.trajectory(observed("gd_step", gd_step), ...)`) runs in both
  modes, and is redone outside on the replayed outputs.
- `state(label, read, *objects)`: the raw state of objects student code acted on (parameter
  arrays, an optimizer's param_groups as plain data), read by `read` in the sandbox and replayed
  outside, where `read` never runs (the objects are not there). `read` returns raw data and
  decides nothing; the check judges it outside, against reference values the sandbox never sees.

`replay(log, hidden=True)` marks the replay of a hidden case: `judging_hidden()` is then true, and
the checks' messages name the property that failed without the expected value.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math

import numpy as np
import torch

from helpers import codec

DIRECT, RECORDING, REPLAYING = "direct", "recording", "replaying"
_state = {"mode": DIRECT, "log": None, "hidden": False}
# what a function argument of a check becomes on replay (course/engine/grader.py)
FUNCTION = "<a function of the notebook>"


class IncompleteLog(AssertionError):
    """The replay needs a value the recording does not have: the grade fails closed."""


def mode() -> str:
    return _state["mode"]


def recording() -> bool:
    return _state["mode"] == RECORDING


def judging_hidden() -> bool:
    """Whether a hidden case is being judged (`replay(log, hidden=True)`): messages then say which
    property failed, never the expected value."""
    return _state["mode"] == REPLAYING and bool(_state["hidden"])


@contextlib.contextmanager
def record():
    """Record the values observed inside; yields the log (a list of plain data)."""
    saved = dict(_state)
    _state.update(mode=RECORDING, log=[], hidden=False)
    try:
        yield _state["log"]
    finally:
        _state.update(saved)


@contextlib.contextmanager
def replay(log: list, hidden: bool = False):
    """Replay `log` to the checks run inside; `hidden`: they judge a hidden case (see `judging_hidden`)."""
    if type(log) is not list:
        raise IncompleteLog("the sandbox's record of this check is not a list")
    saved = dict(_state)
    _state.update(mode=REPLAYING, log=list(log), hidden=bool(hidden))
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


def call(label: str, fn, *args, keep: bool = False, **kwargs):
    """fn(*args, **kwargs), a call of student code, as one observation (see the module's docstring).

    Recording, its arguments' digest and its result are logged; replaying, fn is not called (it is
    not there): the result comes from the log, after the arguments' digest is compared with the
    recorded one. fn runs in grad mode, as it would in the student's notebook (a check's own code runs
    under torch.no_grad: see `graded`), so that student code may use autograd. An exception of fn is observed too and raised as AssertionError naming `label`
    (NotImplementedError and AssertionError as they are). The result is the logged data turned back
    into values (`from_data(to_data(result))`) in every mode, so that what the check computes from
    it is the same in the sandbox and outside; `keep=True` returns fn's own result instead while
    recording and in the student's kernel, for a check that acts on the returned object (a model, a
    loss to backpropagate): what it learns from the object that way must itself be recorded."""
    mode = _state["mode"]
    if mode == REPLAYING:
        entry = _next(label)
        if entry.get("args") != arguments_digest(args, kwargs):
            raise IncompleteLog(
                f"the sandbox reported a call of {label} with other arguments than the check "
                "passes now (the notebook changed the checks' inputs, or a function changed its "
                "inputs in place)"
            )
        return _value(entry)
    digest = arguments_digest(args, kwargs) if mode == RECORDING else None
    try:
        if mode == RECORDING:  # what fn does inside is not observed: student code cannot add entries
            _state["mode"] = DIRECT
        try:
            with torch.enable_grad():  # as in the student's notebook: checks run course code under no_grad
                result = fn(*args, **kwargs)
        finally:
            _state["mode"] = mode
    except (NotImplementedError, AssertionError) as error:
        _log_raised(label, digest, error)
        raise
    except Exception as error:
        failure = AssertionError(f"{label} raised {type(error).__name__}: {error}")
        _log_raised(label, digest, failure)
        raise failure from error
    data = to_data(result)
    if mode == RECORDING:
        _state["log"].append({"label": label, "args": digest, "value": data})
    return result if keep else from_data(data)


def observed(label: str, fn):
    """fn (student code) as a callable whose every call is `call(label, fn, ...)`: hand it to course
    code (games.trajectory, a bisection) so that the course computation runs in both modes."""

    def observed_fn(*args, **kwargs):
        return call(label, fn, *args, **kwargs)

    observed_fn.__name__ = getattr(fn, "__name__", label) if callable(fn) else label
    return observed_fn


def state(label: str, read, *args, **kwargs):
    """read(*args, **kwargs): the raw state of objects student code acted on, as plain data.

    Recorded in the sandbox and replayed outside, where `read` is not called (the objects it reads
    are not there). `read` is course code that only reads (parameter and gradient arrays, an
    optimizer's param_groups, a class name): anything it returns, student code could have forged,
    so the check judges it outside against reference values the sandbox never sees, never trusting
    a fact `read` derived. The value is returned as replayed data in every mode."""
    mode = _state["mode"]
    if mode == REPLAYING:
        return _value(_next(label))
    try:
        if mode == RECORDING:
            _state["mode"] = DIRECT
        try:
            value = read(*args, **kwargs)
        finally:
            _state["mode"] = mode
    except Exception as error:
        failure = (
            error
            if isinstance(error, (NotImplementedError, AssertionError))
            else AssertionError(f"{label}: reading it raised {type(error).__name__}: {error}")
        )
        _log_raised(label, None, failure)
        if failure is error:
            raise
        raise failure from error
    data = to_data(value)
    if mode == RECORDING:
        _state["log"].append({"label": label, "value": data})
    return from_data(data)


def _log_raised(label: str, digest, error: BaseException) -> None:
    if _state["mode"] != RECORDING:
        return
    kind = "NotImplementedError" if isinstance(error, NotImplementedError) else "AssertionError"
    entry = {"label": label, "raised": [kind, str(error)]}
    if digest is not None:
        entry["args"] = digest
    _state["log"].append(entry)


def arguments_digest(args: tuple, kwargs: dict) -> str:
    """A digest of a call's arguments as data: numbers, strings, arrays (dtype, shape, bytes) and
    containers by value; anything else (a function, a model, an optimizer, and what stands in for
    them on replay: FUNCTION, a ModuleStandIn, an Uncheckable) as "an object": only data can be
    compared across the two processes. Plain numbers and strings alone (a game's step, called
    thousands of times in a trajectory) are digested from their exact repr, the rest as JSON."""
    if not kwargs:
        scalars = _scalars(args)
        if scalars is not None:
            return hashlib.sha256(repr(scalars).encode()).hexdigest()[:24]
    text = json.dumps(
        _canonical([list(args), {key: kwargs[key] for key in sorted(kwargs)}]), sort_keys=True, allow_nan=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


_PLAIN = (float, int, bool, str, type(None))
_NUMPY_SCALARS = (np.float64, np.float32, np.int64, np.int32, np.bool_)


def _scalars(args: tuple) -> tuple | None:
    """A game step's arguments (functions and scalars) as a tuple of plain values, else None."""
    parts = []
    for arg in args:
        kind = type(arg)
        if kind in _PLAIN:
            parts.append("<object>" if arg == FUNCTION else arg)
        elif kind in _NUMPY_SCALARS:
            parts.append((kind.__name__, arg.item()))
        elif callable(arg):  # as _canonical has it: a function, a model, a stand-in
            parts.append("<object>")
        else:
            return None
    return ("scalars", *parts)


def _canonical(value, depth: int = 0):
    if depth > 20:
        return "<deep>"
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return "<object>" if value == FUNCTION else value
    if kind is float:
        return value if math.isfinite(value) else repr(value)
    if kind in (list, tuple):
        return [kind.__name__, [_canonical(item, depth + 1) for item in value]]
    if kind is dict:
        return ["dict", {str(key): _canonical(item, depth + 1) for key, item in value.items()}]
    if callable(value) or isinstance(value, Uncheckable):
        return "<object>"
    data = to_data(value)
    ((tag, content),) = data.items()
    if tag in ("tensor", "array", "numpy_scalar"):
        array = np.ascontiguousarray(content)
        return [tag, str(array.dtype), list(array.shape), hashlib.sha256(array.tobytes()).hexdigest()]
    return "<object>"


def _next(label: str) -> dict:
    log = _state["log"]
    if not log:
        raise IncompleteLog(f"the sandbox did not report {label} (the notebook stopped, or changed the checks)")
    entry = log.pop(0)
    if type(entry) is not dict or entry.get("label") != label:
        raise IncompleteLog(
            f"the sandbox reported something else where {label} was expected (the notebook changed the checks)"
        )
    return entry


def _value(entry: dict):
    if "raised" in entry:
        raised = entry["raised"]
        if type(raised) is not list or len(raised) != 2:
            raise IncompleteLog("a malformed record of an exception")
        kind, message = raised
        raise (NotImplementedError if kind == "NotImplementedError" else AssertionError)(str(message))
    if "value" not in entry:
        raise IncompleteLog(f"the sandbox's record of {entry.get('label')} has no value")
    return from_data(entry["value"])


def _replayed(label: str):
    return _value(_next(label))


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
    """`value` as a log entry's value: plain data (exact types only), each tagged with the kind of
    value it was (a tuple, a tensor, a NumPy scalar, a model, one that cannot be checked), which
    `from_data` turns back into one. The arrays in it cross the sandbox's boundary through
    helpers/codec.py, the one encoding of what leaves the sandbox: an array of a dtype it does not
    carry (float16, int16, ...) is 'uncheckable' here, so that it fails its own check, not the run."""
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
    name = f"{kind.__module__}.{kind.__qualname__}"
    numpy_scalar = isinstance(value, (np.bool_, np.integer, np.floating)) and kind.__module__ == "numpy"
    if kind is torch.Tensor or kind is np.ndarray or numpy_scalar:
        dtype = str(value.dtype).removeprefix("torch.")
        if dtype not in codec.ARRAY_DTYPES:  # what the codec cannot carry fails this check only
            return {"uncheckable": f"a {name} of dtype {dtype} cannot be checked outside the sandbox"}
        if kind is torch.Tensor:
            return {"tensor": value.detach().cpu().numpy()}
        return {"array": value} if kind is np.ndarray else {"numpy_scalar": np.asarray(value).reshape(1)}
    if isinstance(value, torch.nn.Module):  # what a model builder returned: the checks ask it questions
        return {"module": f"{kind.__module__}.{kind.__qualname__}"}  # through observed helpers
    return {"uncheckable": f"a {name} cannot be checked outside the sandbox"}


def from_data(data):
    """The inverse of `to_data` (arrays arrive as NumPy arrays)."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise IncompleteLog(f"a malformed observation: {str(data)[:100]}")
    ((tag, content),) = data.items()
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
