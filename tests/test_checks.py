"""The building blocks of the graded checks (helpers.checks)."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from helpers.checks import assert_close, assert_param_count, build_model, call, graded, set_reference_weights


def test_assert_close_reports_expected_got_and_tolerance():
    assert_close("x", torch.tensor([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6]))
    with pytest.raises(AssertionError) as error:
        assert_close("x", torch.tensor([1.0, 2.5]), np.array([1.0, 2.0]), tol=1e-3, hint="look here")
    message = str(error.value)
    assert "max error 0.25 > tolerance 0.001" in message
    assert "expected 2" in message and "got 2.5" in message and message.endswith("look here")
    with pytest.raises(AssertionError, match=r"expected shape \(2,\), got \(3,\)"):
        assert_close("x", torch.zeros(3), np.zeros(2))
    with pytest.raises(AssertionError, match="NaN"):
        assert_close("x", torch.tensor([float("nan")]), np.zeros(1))


def test_assert_param_count_message():
    with pytest.raises(AssertionError, match="expected 10 parameters, got 8"):
        assert_param_count("model", nn.Linear(3, 2), 10)


def test_call_and_build_model_name_what_went_wrong():
    with pytest.raises(AssertionError, match=r"f\(\) must return a torch.Tensor, got list"):
        call("f()", lambda: [1.0])
    with pytest.raises(AssertionError, match=r"f\(\) raised ZeroDivisionError"):
        call("f()", lambda: 1 / 0)
    with pytest.raises(AssertionError, match=r"build\(\) must return an nn.Module .*, got NoneType"):
        build_model("build()", lambda: None)


def test_graded_restores_random_state_hides_warnings_and_explains_stubs(capsys):
    @graded
    def reseeding_check():
        """A check that reseeds and warns."""
        torch.manual_seed(0)
        random.seed(0)
        np.random.seed(0)
        warnings.warn("noisy", stacklevel=2)

    torch.manual_seed(123)
    random.seed(123)
    np.random.seed(123)
    expected = (torch.rand(1), random.random(), np.random.rand())
    torch.manual_seed(123)
    random.seed(123)
    np.random.seed(123)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reseeding_check()
    assert caught == []
    assert (torch.rand(1), random.random(), np.random.rand()) == expected
    assert capsys.readouterr().out == "passed: A check that reseeds and warns.\n"

    @graded
    def stub_check():
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not implemented yet"):
        stub_check()
    assert capsys.readouterr().out == ""


class Reversed(nn.Module):
    """The same network as `forward_order`, its layers registered in the opposite order."""

    def __init__(self):
        super().__init__()
        self.b = nn.Linear(5, 2)
        self.a = nn.Linear(3, 5)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


def test_reference_weights_do_not_depend_on_layer_order_or_initialisation():
    forward_order = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    torch.manual_seed(1)
    other = Reversed()
    shapes = [(3, 5), (5, 2)]
    set_reference_weights("a", forward_order, shapes, seed=4)
    set_reference_weights("b", other, shapes, seed=4)
    x = torch.randn(6, 3)
    assert torch.equal(forward_order(x), other(x))
    set_reference_weights("b", other, shapes, seed=5)
    assert not torch.equal(forward_order(x), other(x))


def test_reference_weights_refuse_wrong_layers():
    with pytest.raises(AssertionError, match=r"expected nn.Linear layers .*\(3, 5\).* got \[\(3, 4\)"):
        set_reference_weights("m", nn.Sequential(nn.Linear(3, 4)), [(3, 5)], seed=0)
    with pytest.raises(AssertionError, match=r"nn.Linear\(3, 5\) has no bias"):
        set_reference_weights("m", nn.Sequential(nn.Linear(3, 5, bias=False)), [(3, 5)], seed=0)


def test_call_loss_wants_a_scalar_tensor():
    from helpers.checks import call_loss

    assert float(call_loss("loss", lambda x: x.mean(), torch.ones(3))) == 1.0
    with pytest.raises(
        AssertionError, match=r"loss must return a scalar \(0-dim tensor\), got shape \(3,\): take the mean"
    ):
        call_loss("loss", lambda x: x, torch.ones(3))


def test_as_number_accepts_numbers_and_one_element_tensors_only():
    from helpers.checks import as_number

    assert as_number("x", 2) == 2.0 and as_number("x", torch.tensor([1.5])) == 1.5
    with pytest.raises(AssertionError, match="must be a single number"):
        as_number("x", torch.ones(2))
    with pytest.raises(AssertionError, match="must be a number, got 'six'"):
        as_number("x", "six")
    with pytest.raises(AssertionError, match=r"must be finite, got nan \(why\)"):
        as_number("x", float("nan"), hint="why")


def test_layer_signatures_name_what_fixes_the_parameters():
    from helpers.checks import layer_signature

    assert layer_signature(nn.Conv2d(1, 32, 5)) == "Conv2d(1, 32, kernel_size=5, stride=1, padding=0, bias=True)"
    assert layer_signature(nn.ConvTranspose2d(64, 1, 5, 2, 2, 1, bias=False)) == (
        "ConvTranspose2d(64, 1, kernel_size=5, stride=2, padding=2, output_padding=1, bias=False)"
    )
    assert (
        layer_signature(nn.Conv2d(1, 2, (3, 5))) == "Conv2d(1, 2, kernel_size=(3, 5), stride=1, padding=0, bias=True)"
    )
    assert layer_signature(nn.BatchNorm1d(7)) == "BatchNorm1d(7, affine=True)"
    with pytest.raises(TypeError):
        layer_signature(nn.ReLU())


def test_assert_layers_lists_missing_and_unexpected_layers():
    from helpers.checks import assert_layers

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 1, bias=False))
    assert_layers("m", model, ["BatchNorm1d(8, affine=True)", "Linear(8, 1, bias=False)", "Linear(4, 8, bias=True)"])
    with pytest.raises(AssertionError) as error:
        assert_layers("m", model, ["Linear(4, 8, bias=True)", "Linear(8, 1, bias=True)", "BatchNorm1d(8, affine=True)"])
    assert "missing:    Linear(8, 1, bias=True)" in str(error.value)
    assert "unexpected: Linear(8, 1, bias=False)" in str(error.value)


def test_reference_params_fix_the_function_whatever_the_registration_order():
    from helpers.checks import set_reference_params

    class Reordered(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.BatchNorm2d(4)
            self.conv = nn.Conv2d(1, 4, 3)

        def forward(self, x):
            return self.norm(torch.relu(self.conv(x)))

    torch.manual_seed(0)
    a = set_reference_params(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.BatchNorm2d(4)), seed=5).eval()
    torch.manual_seed(1)
    b = set_reference_params(Reordered(), seed=5).eval()
    c = set_reference_params(nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()), seed=5).eval()
    x = torch.randn(2, 1, 6, 6)
    with torch.no_grad():
        assert torch.equal(a(x), b(x))
        assert not torch.allclose(a(x), c(x), atol=1e-3)  # same parameters, other order: another function
    assert float(a[2].running_var.min()) >= 0.5  # statistics are set too, so eval mode is fixed


def test_layer_trace_and_its_difference():
    from helpers.checks import layer_trace, trace_difference

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Sequential(nn.Linear(4, 1), nn.Tanh()))
    trace = layer_trace(model, torch.randn(5, 3))
    assert trace == ["Linear", "BatchNorm1d", "ReLU", "Linear", "Tanh"]
    assert trace_difference(trace, trace) == ""
    message = trace_difference(trace, ["Linear", "ReLU", "BatchNorm1d", "Linear", "Tanh"])
    assert "at layer 2 expected ReLU" in message and "got BatchNorm1d" in message
    assert "expected (end)" in trace_difference(trace + ["Sigmoid"], trace)
    assert not model[0]._forward_hooks  # the hooks are removed


def test_ks_distance_to_uniform():
    from helpers.checks import ks_distance_to_uniform

    grid = (torch.arange(1000, dtype=torch.float64) + 0.5) / 1000  # the quantiles of U(0, 1)
    assert ks_distance_to_uniform(grid, 0.0, 1.0) == pytest.approx(0.0005)
    assert ks_distance_to_uniform(grid * 2 - 1, -1.0, 1.0) == pytest.approx(0.0005)
    assert ks_distance_to_uniform(torch.full((100,), 0.5), 0.0, 1.0) == pytest.approx(0.5)


def test_student_code_runs_in_grad_mode_and_the_check_in_no_grad():
    """A student answer may use autograd without torch.enable_grad(); the check's own code does not record graphs."""
    seen = {}

    def student(d):
        d = d.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad((d**2).sum(), d)
        return grad

    @graded
    def check(fn):
        seen["check"] = torch.is_grad_enabled()
        got = call("student(d)", fn, torch.tensor([1.0, -2.0]))
        assert_close("student(d)", got, [2.0, -4.0], tol=1e-6)

    check(student)
    assert seen == {"check": False}


def test_reference_pieces_lend_course_functions_for_one_check_only():
    from helpers.checks import reference_pieces, replay

    namespace = {"one_hot": lambda y: "the student's", "other": 3}
    exec("def build():\n    return one_hot(None)", namespace)
    build = namespace["build"]

    def course_one_hot(y):
        return "the course's"

    with reference_pieces(build, one_hot=course_one_hot, missing=course_one_hot):
        assert build() == "the course's"
    assert build() == "the student's" and "missing" not in namespace
    with pytest.raises(RuntimeError), reference_pieces(build, one_hot=course_one_hot):
        raise RuntimeError("a failing check")
    assert build() == "the student's"  # restored after an exception too
    with reference_pieces(build, other=course_one_hot):  # not a function of the notebook: left alone
        assert namespace["other"] == 3
    with replay.replay([]), reference_pieces(build, one_hot=course_one_hot):  # replay: no student code runs
        assert build() == "the student's"
