"""Record and replay on their own (helpers/checks/replay.py): a check's code run once in recording
mode on student code and once in replay mode without it reaches the same verdict, and a record that
does not fit the check fails closed. No sandbox and no notebook: the grader tests do that end to end."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import codec
from helpers.checks import replay


def doubles(fn) -> None:
    """A check in miniature: what fn returns for a fixed input, judged against 2 * input."""
    x = torch.tensor([1.0, -2.0, 3.0])
    got = replay.call("doubles", fn, x)
    assert torch.allclose(torch.as_tensor(got), 2 * x), f"doubles: expected {2 * x}, got {got}"


def across_the_sandbox(log: list) -> list:
    """The log as it leaves the sandbox and is read back (helpers/codec.py)."""
    return codec.loads(codec.dumps(log))


def graded(check, student_fn) -> str:
    """Record `check` on `student_fn`, then replay it without the function: "" or the reason."""
    with replay.record() as log:
        try:
            check(student_fn)
        except AssertionError:
            pass  # the sandbox's own verdict is thrown away
    with replay.replay(across_the_sandbox(log)):
        try:
            check(replay.FUNCTION)  # on replay the student's function is not there
        except AssertionError as error:
            return f"{type(error).__name__}: {error}"
    return ""


def test_a_right_answer_passes_and_a_wrong_one_fails_on_replay():
    assert graded(doubles, lambda x: x * 2) == ""
    assert graded(doubles, lambda x: x + x) == ""  # equivalent code
    assert graded(doubles, lambda x: x * 3).startswith("AssertionError: doubles: expected")


def test_student_exceptions_come_back_as_failures_naming_the_call():
    def not_done(x):
        raise NotImplementedError("not implemented yet")

    def broken(x):
        return x @ torch.zeros(5, 5)

    with replay.record() as log:
        with pytest.raises(NotImplementedError):
            doubles(not_done)
    with replay.replay(across_the_sandbox(log)), pytest.raises(NotImplementedError, match="not implemented yet"):
        doubles(replay.FUNCTION)
    assert graded(doubles, broken).startswith("AssertionError: doubles raised RuntimeError")


def test_a_record_that_does_not_fit_the_check_fails_closed():
    with replay.record() as log:
        doubles(lambda x: x * 2)
    for bad in (
        [],
        [{**log[0], "label": "other"}],
        [{**log[0], "args": "0" * 24}],
        [{"label": "doubles", "args": log[0]["args"]}],
    ):
        with replay.replay(bad), pytest.raises(replay.IncompleteLog):
            doubles(replay.FUNCTION)
    with pytest.raises(replay.IncompleteLog):
        with replay.replay({"not": "a list"}):
            pass


def test_student_code_cannot_add_to_the_record():
    def sneaky(x):
        replay.observe("doubles", torch.tensor([2.0, -4.0, 6.0]))  # a forged entry from inside the call
        return x * 3

    with replay.record() as log:
        with pytest.raises(AssertionError):
            doubles(sneaky)
    assert [entry["label"] for entry in log] == ["doubles"]


def test_values_cross_as_data_only():
    values = {
        "tensor": torch.arange(6, dtype=torch.float32).view(2, 3),
        "array": np.arange(3, dtype=np.int64),
        "scalar": np.float32(0.5),
        "nan": float("nan"),
        "nested": [1, (2.0, "x"), {"k": None}],
    }
    back = replay.from_data(replay.to_data(values))
    assert back["tensor"].dtype == torch.float32 and back["tensor"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["array"].dtype == np.int64 and back["scalar"] == np.float32(0.5) and np.isnan(back["nan"])
    assert back["nested"] == [1, (2.0, "x"), {"k": None}]

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    rigged = replay.from_data(replay.to_data(AlwaysEqual()))
    with pytest.raises(AssertionError, match="cannot be checked outside the sandbox"):
        bool(rigged == 1)
    stand_in = replay.from_data(replay.to_data(torch.nn.Linear(2, 2)))
    with pytest.raises(AssertionError, match="cannot be run outside the sandbox"):
        stand_in(torch.zeros(2))
    with pytest.raises(replay.IncompleteLog):
        replay.from_data({"pickle": "..."})


@pytest.mark.parametrize(
    "value", [torch.zeros(2, dtype=torch.float16), np.zeros(2, dtype=np.int16), np.float16(1.0)], ids=str
)
def test_an_array_the_codec_cannot_carry_fails_its_own_check_only(value):
    """A float16 answer is a wrong answer, not a broken run: the log still crosses the sandbox."""
    log = across_the_sandbox([{"label": "x", "value": replay.to_data(value)}, {"label": "y", "value": 2}])
    rigged = replay.from_data(log[0]["value"])
    with pytest.raises(AssertionError, match=f"of dtype {str(value.dtype).removeprefix('torch.')} cannot be checked"):
        float(rigged)
    assert log[1]["value"] == 2


def test_state_is_read_in_the_sandbox_and_replayed_outside():
    model = torch.nn.Linear(3, 1)
    calls = []

    def read(m):
        calls.append(1)
        return [p.detach().numpy().copy() for p in m.parameters()]

    with replay.record() as log:
        recorded = replay.state("weights", read, model)
    with replay.replay(across_the_sandbox(log)):
        replayed = replay.state("weights", read, None)  # the model is not there: read must not run
    assert len(calls) == 1 and all(np.array_equal(a, b) for a, b in zip(recorded, replayed))


def test_student_code_runs_with_grad_and_hidden_replays_say_so():
    def needs_grad(x):
        x = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad((x**2).sum(), x)
        return g

    with torch.no_grad():
        assert graded(doubles, needs_grad) == ""
    assert not replay.judging_hidden()
    with replay.replay([], hidden=True):
        assert replay.judging_hidden()
    with replay.record():
        assert replay.recording() and not replay.judging_hidden()
    assert replay.mode() == replay.DIRECT


def test_a_verdict_record_survives_the_store_and_a_broken_one_is_no_record():
    """course/engine/record.py: the verdict store's one codec."""
    from course.engine.record import Record, Verdict
    from course.engine.sandbox import CellRun

    record = Record(
        "01_minimax",
        "ada",
        "minimax",
        "f" * 64,
        {"cell_seconds": 300.0},
        "ok",
        "",
        1.0,
        3.0,
        verdicts=[
            Verdict("test_a", 1.0, 1.0, printed="passed: a\n"),
            Verdict("test_b", 0.0, 2.0, "AssertionError: b", hidden=True),
        ],
        cells=[CellRun("setup", None, 0.5, output="hi\n", figures=["iVBOR"], figures_left_out=1)],
        isolated=True,
        worker="tcp://127.0.0.1:1",
    )
    again = Record.from_json(record.to_json())
    assert again == record and [v.grade_id for v in again.lost()] == ["test_b"]
    for broken in ["[]", "{}", record.to_json().replace('"grade_id"', '"grade"'), '{"verdicts": []}']:
        with pytest.raises(ValueError):
            Record.from_json(broken)
