"""The codec of what leaves the sandbox (helpers/codec.py): plain data round-trips, anything else is
refused on the way out, and JSON that `encode` could not have made is refused on the way in."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from helpers import codec


def test_plain_data_arrays_and_tensors_round_trip():
    value = {
        "n": 3,
        "x": 0.25,
        "flag": True,
        "none": None,
        "words": ["a", ("b", "c")],
        "odd": [float("nan"), float("inf"), -math.inf],
        "array": np.arange(6, dtype=np.int64).reshape(2, 3),
        "tensor": torch.tensor([[1.5, -2.0]]),
        "scalar": np.zeros((), dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.uint8),
    }
    back = codec.loads(codec.dumps(value))
    assert back["n"] == 3 and back["x"] == 0.25 and back["flag"] is True and back["none"] is None
    assert back["words"] == ["a", ["b", "c"]]  # JSON has lists only
    assert math.isnan(back["odd"][0]) and back["odd"][1:] == [math.inf, -math.inf]
    for key, dtype, shape in [
        ("array", np.int64, (2, 3)),
        ("tensor", np.float32, (1, 2)),
        ("scalar", np.float32, ()),
        ("empty", np.uint8, (0, 4)),
    ]:
        assert type(back[key]) is np.ndarray and back[key].dtype == dtype and back[key].shape == shape, key
    assert back["tensor"].tolist() == [[1.5, -2.0]] and back["array"].tolist() == [[0, 1, 2], [3, 4, 5]]


class Float(float):
    def __eq__(self, other):
        return True


class Tensor(torch.Tensor):
    pass


@pytest.mark.parametrize(
    "value, says",
    [
        (Float(1.0), "cannot send a test_codec.Float"),
        (torch.zeros(2).as_subclass(Tensor), "cannot send a test_codec.Tensor"),
        (np.zeros(2, dtype=np.float16), "cannot send a numpy.ndarray"),  # not a dtype the grader reads
        ({1: "a"}, "str keys"),
        ({"__array__": "float32", "shape": [1], "data": "AACAPw=="}, "would read back as another value"),
        (object(), "cannot send a builtins.object"),
    ],
)
def test_anything_but_plain_data_is_refused_on_the_way_out(value, says):
    with pytest.raises(TypeError, match=says):
        codec.dumps(value)


def test_values_nested_too_deep_are_refused():
    deep = []
    for _ in range(codec.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(TypeError, match="deeper than"):
        codec.dumps(deep)


def _array(**fields):
    obj = {"__array__": "float32", "shape": [2], "data": "AACAPwAAAEA="} | fields  # [1.0, 2.0]
    return json.dumps(obj)


def test_a_well_formed_array_reads_back():
    assert codec.loads(_array()).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "text, says",
    [
        (_array(__array__="object"), "dtype 'object'"),
        (_array(shape=[3]), "8 bytes of float32 for an array of shape (3,)"),
        (_array(shape=[-2]), "shape"),
        (_array(shape="2"), "shape"),
        (_array(data="not base64!"), "not base64"),
        (_array(data=[1, 2]), "not text"),
        (_array(extra=1), "fields"),
        ('{"__float__": "1e999"}', "a float '1e999'"),
        ('{"x": NaN}', "bare NaN"),
        ('{"x": Infinity}', "bare Infinity"),
    ],
)
def test_json_encode_could_not_have_made_is_refused_on_the_way_in(text, says):
    with pytest.raises(codec.CodecError, match=says.replace("(", r"\(").replace(")", r"\)")):
        codec.loads(text)


def test_importing_the_codec_loads_neither_numpy_nor_torch():
    code = "import sys, helpers.codec\nprint(sorted({'numpy', 'torch'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
