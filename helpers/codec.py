"""What leaves the sandbox, as JSON: the one codec between the sandboxed notebook and the grader.

The sandbox's child program (course/engine/sandbox_child.py) sends what its probe observed with
`dumps`; the grader reads it with `loads` (course/engine/sandbox.py). The values are plain data:
None, bool, int, float, str, lists, str-keyed dicts, and NumPy arrays and torch tensors of
`ARRAY_DTYPES` (which arrive as NumPy arrays). What a replay log holds on top of that (tensor or
array, a model, a value that could not be checked) is helpers/checks/replay.py's tagging.

`encode` runs inside the sandbox, after student code, which may have changed it: the grader's
trust rests on `decode` alone, which takes nothing but what the JSON says and checks it strictly
(known dtypes, data that fits the shape, the three non-finite floats by name).

Importing it loads neither NumPy nor torch: the encoder finds them in `sys.modules`, where the
notebook left them.
"""

from __future__ import annotations

import base64
import json
import math
import sys

ARRAY_DTYPES = frozenset({"float32", "float64", "int64", "int32", "uint8", "bool"})
MAX_DEPTH = 20
ARRAY, FLOAT = "__array__", "__float__"  # the two tagged objects of the wire format


class CodecError(ValueError):
    """JSON that is not what `encode` makes: a forged or broken result."""


def encode(value, depth: int = 0):
    """`value` as JSON-safe data; TypeError for anything that is not plain data.

    Exact types only (`type(x) is float`), so a subclass with a rigged `__eq__` or `__float__`
    cannot pass; arrays and tensors become {"__array__": dtype, "shape", "data" (base64)}, a NaN or an
    infinity {"__float__": "nan" | "inf" | "-inf"}.
    """
    if depth > MAX_DEPTH:
        raise TypeError(f"observations nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {FLOAT: repr(value)}
    if kind in (list, tuple):
        return [encode(item, depth + 1) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("observation dicts need str keys")
        if ARRAY in value or FLOAT in value:
            raise TypeError(f"a dict with a {ARRAY!r} or {FLOAT!r} key would read back as another value")
        return {key: encode(item, depth + 1) for key, item in value.items()}
    array = _as_numpy(value)
    if array is not None:
        data = base64.b64encode(array.tobytes()).decode("ascii")
        return {ARRAY: str(array.dtype), "shape": list(array.shape), "data": data}
    raise TypeError(f"cannot send a {kind.__module__}.{kind.__qualname__} out of the sandbox")


def _as_numpy(value):
    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    if torch is not None and type(value) is torch.Tensor:  # exact type: no Tensor subclasses
        value = value.detach().cpu().numpy()
    if numpy is not None and type(value) is numpy.ndarray and str(value.dtype) in ARRAY_DTYPES:
        return numpy.array(value, order="C", copy=True)  # not ascontiguousarray: it turns 0-d into 1-d
    return None


def decode(obj: dict):
    """A JSON object as read (`json.loads`'s object hook): the value it stands for, strictly."""
    if ARRAY in obj:
        import numpy as np

        if set(obj) != {ARRAY, "shape", "data"}:
            raise CodecError(f"an array with the fields {sorted(obj)}")
        dtype, shape = obj[ARRAY], obj["shape"]
        if dtype not in ARRAY_DTYPES:
            raise CodecError(f"an array of dtype {dtype!r}")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise CodecError(f"an array of shape {shape!r}")
        if type(obj["data"]) is not str:
            raise CodecError("array data that is not text")
        try:
            data = base64.b64decode(obj["data"], validate=True)
        except ValueError:
            raise CodecError("array data that is not base64") from None
        size = math.prod(shape)
        if len(data) != size * np.dtype(dtype).itemsize:
            raise CodecError(f"{len(data)} bytes of {dtype} for an array of shape {tuple(shape)}")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if FLOAT in obj:
        if set(obj) != {FLOAT} or obj[FLOAT] not in ("nan", "inf", "-inf"):
            raise CodecError(f"a float {obj.get(FLOAT)!r}")
        return float(obj[FLOAT])
    return obj


def dumps(value) -> str:
    """`value` as the JSON text the sandbox sends (TypeError if it is not plain data)."""
    return json.dumps(encode(value), allow_nan=False)


def loads(text: str | bytes):
    """The value a JSON text from the sandbox stands for; CodecError (a ValueError) if it is not one."""
    return json.loads(text, object_hook=decode, parse_constant=_no_constant)


def _no_constant(name: str):
    raise CodecError(f"a bare {name} (non-finite floats are sent as {{{FLOAT!r}: ...}})")
