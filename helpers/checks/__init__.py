"""Building blocks of the graded checks.

Every check raises AssertionError with what was expected, what it got and the tolerance used;
it never only prints. `graded` wraps a check so that it

- leaves the caller's random state as it was (checks reseed to be deterministic),
- runs its own computations under torch.no_grad(), while the student code it calls runs in grad
  mode as in the student's notebook (`run_student`), so that an answer may use autograd,
- keeps warnings off stderr (nbgrader scores a test cell that writes to stderr as failed),
- turns the stub's NotImplementedError into a plain "not implemented yet" failure,
- prints one "passed: ..." line naming the behaviour when it passes.

The exercise-specific checks live in one module per notebook (e.g. `noise_networks`).

Everything a check takes from student code goes through `run_student`, `observed`, `answered` or
`replay.state` (the raw state of objects student code acted on), so that the grader can record it
in its sandbox and replay it to the same check outside (helpers/checks/replay.py, GRADING.md).
Three rules follow for a new check: the inputs it gives student code never come from the answers;
every fact derived from what student code did (a count, a trajectory, a verdict) is computed by the
check from the raw record, never read from course code that ran in the sandbox; and a hidden case
(`replay.judging_hidden()`) fails with the property that failed, never the expected value.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import random
import warnings
import zlib
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from helpers.checks import replay

__all__ = [
    "answered",
    "as_number",
    "assert_close",
    "assert_dtype",
    "assert_layers",
    "assert_param_count",
    "assert_shape",
    "build_model",
    "every_problem",
    "confirm_layers",
    "call",
    "call_loss",
    "expect",
    "graded",
    "ks_distance_to_uniform",
    "layer_signature",
    "layer_trace",
    "linear_layers",
    "max_error",
    "observed",
    "parameters_fingerprint",
    "parameter_layers",
    "probe_forward",
    "reference_pieces",
    "run_student",
    "simulate",
    "set_reference_params",
    "set_reference_weights",
    "trace_difference",
]


def graded(check):
    """Decorator for check functions: isolated random state, silent warnings, clear stub failures."""

    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        py_state, np_state = random.getstate(), np.random.get_state()
        try:
            with torch.random.fork_rng(devices=[]), warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                check(*args, **kwargs)
        except NotImplementedError as error:
            detail = f" ({error})" if str(error) else ""
            raise AssertionError(
                f"not implemented yet: replace `raise NotImplementedError()` with your code{detail}"
            ) from None
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
        print(f"passed: {_summary(check)}")

    return wrapper


def answered(name: str, value):
    """`value`, unless it is still the stub's None: then the check fails as "not implemented yet"."""
    value = replay.observe(name, value)
    if value is None:
        raise NotImplementedError(f"{name} is still None")
    return value


def every_problem(*parts) -> None:
    """Run each part of a check (a callable without arguments) and fail with every part's problem, not
    only the first's: for a check that judges two answers. A stub's NotImplementedError and an
    incomplete record of the sandbox (replay.IncompleteLog) end the check at once, as elsewhere.

    The parts judge values the check has already taken from student code: a part stops at its first
    problem on replay but not while recording (`expect` raises only outside), so a student call
    inside a part would leave the record read out of order."""
    problems = []
    for part in parts:
        try:
            part()
        except (NotImplementedError, replay.IncompleteLog):
            raise
        except AssertionError as error:
            problems.append(str(error))
    expect(not problems, "; and ".join(problems))


def expect(condition: bool, message: str) -> None:
    """Raise AssertionError(message) unless `condition` holds (never while recording: see replay)."""
    if not condition and not replay.recording():
        raise AssertionError(message)


def call(label: str, fn, *args, **kwargs):
    """Call student code `fn(*args, **kwargs)`, described as `label` in messages.

    An exception inside the student's code fails the check with that exception named (the
    traceback still shows where it happened); a result that is not a Tensor fails too.
    """
    result = run_student(label, fn, *args, **kwargs)
    expect(isinstance(result, torch.Tensor), f"{label} must return a torch.Tensor, got {type(result).__name__}")
    return result


def call_loss(label: str, fn, *args, **kwargs) -> torch.Tensor:
    """Call a student's loss function; its result must be a scalar (0-dim) Tensor."""
    loss = call(label, fn, *args, **kwargs)
    expect(loss.ndim == 0, f"{label} must return a scalar (0-dim tensor), got shape {tuple(loss.shape)}: take the mean")
    return loss


def as_number(label: str, value, hint: str = "") -> float:
    """`value` (a number or a one-element Tensor) as a finite float, or an AssertionError saying why not."""
    if isinstance(value, torch.Tensor):
        expect(value.numel() == 1, f"{label} must be a single number, got a tensor of shape {tuple(value.shape)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AssertionError(f"{label} must be a number, got {value!r}") from None
    expect(math.isfinite(number), f"{label} must be finite, got {number}" + (f" ({hint})" if hint else ""))
    return number


def ks_distance_to_uniform(values: torch.Tensor, low: float, high: float) -> float:
    """Kolmogorov-Smirnov distance between the sample `values` and U(low, high): the largest gap
    between the empirical CDF (on both sides of each step) and the uniform one."""
    values = values.detach().double().cpu().flatten().sort().values
    n = values.numel()
    cdf = (values - low) / (high - low)
    ranks = torch.arange(1, n + 1, dtype=torch.float64) / n
    return float(torch.maximum(ranks - cdf, cdf - (ranks - 1 / n)).max())


def build_model(label: str, fn, *args, **kwargs) -> nn.Module:
    """Call model builder `fn(*args, **kwargs)`; its result must be an nn.Module."""
    model = run_student(label, fn, *args, **kwargs)
    expect(
        isinstance(model, nn.Module),
        f"{label} must return an nn.Module (e.g. nn.Sequential), got {type(model).__name__}",
    )
    return model


def run_student(label: str, fn, *args, **kwargs):
    """fn(*args, **kwargs), student code; an exception inside it becomes an AssertionError naming `label`.

    The call is an observation (`replay.call`): its result is recorded in the grading sandbox and
    replayed to the same check outside it (where the arguments must be those recorded). Returned
    as fn returned it while recording (a check may act on a returned model or loss), as data on replay."""
    return replay.call(label, fn, *args, keep=True, **kwargs)


@contextlib.contextmanager
def reference_pieces(fn, **pieces):
    """Inside, the names `pieces` of the namespace student function `fn` was defined in (the
    notebook's) are the course's versions, restored afterwards: a check of a function the notebook
    builds on earlier exercises (notebook 8's networks call `one_hot`) gives it the reference pieces,
    so that a mistake in an earlier piece costs only that piece's check (STYLE.md). A name the
    namespace does not hold as a function, and a `fn` without a namespace (a lambda's is still the
    notebook's; a functools.partial has none), are left alone. On replay no student code runs: nothing to do."""
    namespace = getattr(fn, "__globals__", None)
    if replay.mode() == replay.REPLAYING or type(namespace) is not dict:
        yield
        return
    saved = {name: namespace[name] for name in pieces if callable(namespace.get(name))}
    namespace.update({name: pieces[name] for name in saved})
    try:
        yield
    finally:
        namespace.update(saved)


def observed(label: str, fn):
    """Student function `fn` for course code that calls it many times (a simulation): every call is an
    observation, its result the recorded data in every mode (see `replay.observed`)."""
    return replay.observed(label, fn)


def simulate(label: str, course_fn, *args, **kwargs):
    """course_fn(*args, **kwargs): a course computation (games.trajectory, a bisection) on observed
    student functions. It runs in every mode, so outside the sandbox it is redone on the replayed
    outputs: its result is never taken from the sandbox. An exception (other than a failed check)
    becomes an AssertionError naming `label`."""
    try:
        return course_fn(*args, **kwargs)
    except (NotImplementedError, AssertionError):
        raise
    except Exception as error:
        raise AssertionError(f"{label} raised {type(error).__name__}: {error}") from error


def assert_shape(name: str, tensor: torch.Tensor, shape: Sequence[int]) -> None:
    expected = "the hidden case's shape" if replay.judging_hidden() else f"shape {tuple(shape)}"
    expect(
        tuple(tensor.shape) == tuple(shape),
        f"{name}: expected {expected}, got {tuple(tensor.shape)}",
    )


def assert_dtype(name: str, tensor: torch.Tensor, dtype: torch.dtype = torch.float32) -> None:
    expect(tensor.dtype == dtype, f"{name}: expected dtype {dtype}, got {tensor.dtype}")


def _float64(values) -> torch.Tensor:
    if isinstance(values, np.ndarray):  # stored answers are read-only arrays, which torch cannot wrap
        return torch.from_numpy(values.astype(np.float64))
    return torch.as_tensor(values, dtype=torch.float64).cpu()


def max_error(got, expected) -> float:
    """max |got - expected| / max(1, max |expected|): relative for large values, absolute for small."""
    got, expected = _float64(got), _float64(expected)
    scale = max(1.0, float(expected.abs().max())) if expected.numel() else 1.0
    return float((got - expected).abs().max()) / scale if expected.numel() else 0.0


def assert_close(name: str, got, expected, tol: float = 1e-4, hint: str = "") -> None:
    """Fail unless `got` has `expected`'s shape and max_error(got, expected) <= tol."""
    if replay.recording():  # no reference answers in the sandbox: the judging happens on replay
        return
    got = torch.as_tensor(got).detach().cpu()
    expected = torch.as_tensor(expected)
    assert_shape(name, got, expected.shape)
    expect(bool(torch.isfinite(got).all()), f"{name}: contains NaN or inf values")
    error = max_error(got, expected)
    if error > tol and replay.judging_hidden():  # the expected values stay with the grader
        raise AssertionError(
            f"{name}: does not match the reference values of the hidden case (tolerance {tol:g})"
            + (f". {hint}" if hint else "")
        )
    if error > tol:
        where = int((got.double() - expected.double()).abs().flatten().argmax())
        message = (
            f"{name}: does not match the reference. max error {error:.3g} > tolerance {tol:g}; "
            f"at flat index {where} expected {float(expected.flatten()[where]):.6g}, "
            f"got {float(got.flatten()[where]):.6g}"
        )
        raise AssertionError(message + (f". {hint}" if hint else ""))


# ---------------------------------------------------------------------------------------------
# Gradients a returned loss sends into a model's parameters (a penalty kept differentiable).


def backpropagated_grads(loss: torch.Tensor, model: nn.Module) -> list:
    """loss.backward() from cleared gradients, then each parameter's .grad (None where the loss does
    not reach it): the raw state a check records with `replay.state` and judges outside."""
    for parameter in model.parameters():
        parameter.grad = None
    if isinstance(loss, torch.Tensor) and loss.requires_grad:
        loss.backward()
    return [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]


def parameter_grads(loss: torch.Tensor, model: nn.Module) -> torch.Tensor:
    """d loss / d model's parameters, flattened, zeros for a parameter the loss does not reach: the
    reference answer that `assert_grads` compares the record with."""
    parameters = list(model.parameters())
    grads = torch.autograd.grad(loss, parameters, allow_unused=True, retain_graph=True)
    return torch.cat([(torch.zeros_like(p) if g is None else g).flatten() for p, g in zip(parameters, grads)])


def assert_grads(name: str, grads, model: nn.Module, expected, tol: float = 1e-4, hint: str = "") -> None:
    """Fail unless the recorded `backpropagated_grads(loss, model)` are `expected` (parameter_grads
    of the reference loss) within tol."""
    if replay.recording():
        return
    shapes = [tuple(p.shape) for p in model.parameters()]
    expect(
        type(grads) is list
        and len(grads) == len(shapes)
        and all(g is None or (type(g) is torch.Tensor and tuple(g.shape) == s) for g, s in zip(grads, shapes)),
        f"the sandbox's record of {name} is malformed",
    )
    flat = torch.cat([(torch.zeros(s) if g is None else g).flatten() for g, s in zip(grads, shapes)])
    assert_close(name, flat, expected, tol=tol, hint=hint)


# ---------------------------------------------------------------------------------------------
# Questions to a model. The grading sandbox records a raw description of the model a builder
# returned (`describe_model`: every module's qualified name, class and base classes, the
# constructor attributes that fix its parameters, every parameter's name and shape); the answers
# (parameter count, layers, signatures) are computed from it by the check, outside the sandbox.

MODEL_ATTRIBUTES = (
    "in_features",
    "out_features",
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "output_padding",
    "transposed",
    "num_features",
    "affine",
    "track_running_stats",
    "p",
    "negative_slope",
)
LINEAR, CONV, BATCH_NORM = (
    "torch.nn.modules.linear.Linear",
    "torch.nn.modules.conv._ConvNd",
    "torch.nn.modules.batchnorm._BatchNorm",
)


def _class_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def describe_module(module: nn.Module, name: str = "") -> dict:
    """One module as plain data: {"name", "class", "bases" (class names of its MRO), "attributes"
    (those of MODEL_ATTRIBUTES it has, when they are plain values), "parameters" (its own: name ->
    shape, None for an absent one such as bias=False)}."""
    attributes = {}
    for attribute in MODEL_ATTRIBUTES:
        value = getattr(module, attribute, None)
        if value is not None and (
            type(value) in (bool, int, float, str) or (type(value) is tuple and all(type(v) is int for v in value))
        ):
            attributes[attribute] = value
    return {
        "name": name,
        "class": _class_name(type(module)),
        "bases": [_class_name(k) for k in type(module).__mro__],
        "attributes": attributes,
        "parameters": {key: None if value is None else list(value.shape) for key, value in module._parameters.items()},
    }


def describe_model(model: nn.Module) -> dict:
    """The raw description of `model`: {"modules": describe_module of each of model.named_modules()
    (registration order), "parameters": [[name, shape], ...] of model.named_parameters()}."""
    return {
        "modules": [describe_module(module, name) for name, module in model.named_modules()],
        "parameters": [[name, list(p.shape)] for name, p in model.named_parameters()],
    }


def model_description(name: str, model: nn.Module) -> dict:
    """`describe_model(model)`, recorded in the grading sandbox and replayed outside (replay.state)."""
    description = replay.state(f"{name}: the model's description", describe_model, model)
    expect(
        type(description) is dict
        and type(description.get("modules")) is list
        and type(description.get("parameters")) is list,
        f"{name}: the sandbox's description of the model is malformed",
    )
    return description


def _is(entry: dict, base: str) -> bool:
    return type(entry) is dict and type(entry.get("bases")) is list and base in entry["bases"]


def count_described(description: dict) -> int:
    """The number of parameter values in a described model (each shared parameter once)."""
    return sum(math.prod(shape) for _, shape in description["parameters"])


def described_layers(description: dict, base: str | tuple[str, ...]) -> list[dict]:
    """The described modules whose class derives from `base` (class names), in registration order."""
    bases = (base,) if isinstance(base, str) else base
    return [entry for entry in description["modules"] if any(_is(entry, b) for b in bases)]


def assert_param_count(name: str, model: nn.Module, expected: int) -> None:
    got = count_described(model_description(name, model))
    wanted = "the specified number of" if replay.judging_hidden() else f"{expected:,}"
    expect(got == expected, f"{name}: expected {wanted} parameters, got {got:,}")


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The nn.Linear layers of `model`, in registration order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


# Layers whose parameters define what a network computes; activations, pooling and reshapes have none.
PARAMETER_LAYERS = (nn.Linear, nn.modules.conv._ConvNd, nn.modules.batchnorm._BatchNorm)


def parameter_layers(model: nn.Module) -> list[nn.Module]:
    """The linear, convolution and batch-norm layers of `model`, in registration order."""
    return [m for m in model.modules() if isinstance(m, PARAMETER_LAYERS)]


def layer_signature(layer) -> str:
    """What fixes a layer's parameters, as text: e.g. "Conv2d(1, 32, kernel_size=5, stride=1, padding=0, bias=True)".

    `layer`: a module, or its description (`describe_module`), as recorded in the grading sandbox."""
    entry = layer if type(layer) is dict else describe_module(layer)
    kind = str(entry["class"]).rsplit(".", 1)[-1]
    a = entry["attributes"]
    has_bias = entry["parameters"].get("bias") is not None
    if _is(entry, LINEAR):
        return f"{kind}({a.get('in_features')}, {a.get('out_features')}, bias={has_bias})"
    if _is(entry, CONV):

        def one(value):  # (5, 5) -> 5
            return value[0] if isinstance(value, (tuple, list)) and len(set(value)) == 1 else value

        extra = f", output_padding={one(a.get('output_padding'))}" if a.get("transposed") else ""
        return (
            f"{kind}({a.get('in_channels')}, {a.get('out_channels')}, kernel_size={one(a.get('kernel_size'))}, "
            f"stride={one(a.get('stride'))}, padding={one(a.get('padding'))}{extra}, bias={has_bias})"
        )
    if _is(entry, BATCH_NORM):
        return f"{kind}({a.get('num_features')}, affine={a.get('affine')})"
    raise TypeError(f"no signature for {kind}")


def assert_layers(name: str, model: nn.Module, expected: Sequence[str]) -> None:
    """Fail unless `model`'s parameter layers are exactly `expected` (signatures, in any order)."""
    got = [
        layer_signature(entry) for entry in described_layers(model_description(name, model), (LINEAR, CONV, BATCH_NORM))
    ]
    if replay.recording():  # the specification comes from the answers: judged on replay
        return
    missing, unexpected = list(expected), []
    for signature in got:
        if signature in missing:
            missing.remove(signature)
        else:
            unexpected.append(signature)
    if missing or unexpected:
        lines = [f"{name}: its layers with parameters differ from the specification."]
        if replay.judging_hidden():
            missing = [f"{len(missing)} layer(s) of the specification"] if missing else []
        lines += [f"  missing:    {s}" for s in missing]
        lines += [f"  unexpected: {s}" for s in unexpected]
        raise AssertionError("\n".join(lines))


def layer_trace(model: nn.Module, *inputs) -> list[str]:
    """The class names of `model`'s innermost modules in the order a forward pass on `inputs` runs them
    (raw: the hooks' record of a forward pass in the grading sandbox, replayed outside; see `_layer_trace`).
    A trace explains a mismatch and never earns points: a check judges outputs, not traces."""
    return replay.state("layer trace", _layer_trace, model, *inputs)


def _layer_trace(model: nn.Module, *inputs) -> list[str]:
    """The class names of `model`'s innermost modules in the order a forward pass on `inputs` runs them.

    Activations written as functions (F.relu) inside a custom forward do not show; the trace is
    used to explain a mismatch, never to fail a check by itself.
    """
    trace: list[str] = []
    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(lambda m, i, o: trace.append(type(m).__name__)) for m in leaves]
    try:
        model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return trace


def trace_difference(got: Sequence[str], expected: Sequence[str]) -> str:
    """A sentence naming the first place where two layer traces differ ("" when they agree)."""
    got, expected = list(got), list(expected)
    if got == expected:
        return ""
    i = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))

    def window(trace):
        return " -> ".join(trace[max(0, i - 2) : i + 2]) or "(end)"

    return (
        f"the layers run in a different order from the specification: at layer {i + 1} expected "
        f"{expected[i] if i < len(expected) else '(end)'} ({window(expected)}), got "
        f"{got[i] if i < len(got) else '(end)'} ({window(got)})"
    )


def set_reference_params(model: nn.Module, seed: int, gain: float = 1.0) -> nn.Module:
    """Overwrite every parameter layer's parameters (and batch-norm statistics) with fixed, seeded values.

    A layer's values depend only on (seed, its signature), so any implementation with the right
    layers computes the same function afterwards, whatever their order of registration or its own
    initialisation. Weights are He-uniform times `gain`; biases uniform in (-0.5, 0.5); batch-norm
    scales uniform in (0.5, 1.5), running means in (-0.5, 0.5), running variances in (0.5, 2).
    Linear layers get the values `set_reference_weights` gives them. When a check is replayed
    outside the grading sandbox there is no model: nothing to set (the sandbox set them).
    """
    if replay.mode() == replay.REPLAYING:
        return model
    for layer in parameter_layers(model):
        if isinstance(layer, nn.Linear):
            key = f"{seed}:{layer.in_features}:{layer.out_features}"
        else:
            key = f"{seed}:{layer_signature(layer)}"
        generator = torch.Generator().manual_seed(zlib.crc32(key.encode()))

        def rand(shape, generator=generator):  # this layer's generator, bound now
            return torch.rand(shape, generator=generator)

        values = {}
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            n = layer.num_features
            if layer.affine:
                values["weight"], values["bias"] = rand(n) + 0.5, rand(n) - 0.5
            if layer.track_running_stats:
                values["running_mean"], values["running_var"] = rand(n) - 0.5, rand(n) * 1.5 + 0.5
        else:
            bound = gain * (6.0 / layer.weight[0].numel()) ** 0.5
            values["weight"] = (rand(layer.weight.shape) * 2 - 1) * bound
            if layer.bias is not None:
                values["bias"] = rand(layer.bias.shape) - 0.5
        with torch.no_grad():
            for attribute, value in values.items():
                target = getattr(layer, attribute)
                target.copy_(value.to(target))
    return model


def set_reference_weights(name: str, model: nn.Module, shapes: Sequence[tuple[int, int]], seed: int, gain: float = 1.0):
    """Check that `model`'s linear layers have the given shapes and biases, then set reference weights.

    Inputs:
    - shapes: the (in_features, out_features) of every expected layer.
    """
    layers = [
        (
            entry["attributes"].get("in_features"),
            entry["attributes"].get("out_features"),
            entry["parameters"].get("bias") is not None,
        )
        for entry in described_layers(model_description(name, model), LINEAR)
    ]  # [(in, out, has_bias)]
    got = sorted((n_in, n_out) for n_in, n_out, _ in layers)
    wanted = (
        "the specified nn.Linear layers" if replay.judging_hidden() else f"nn.Linear layers (in, out) {list(shapes)}"
    )
    expect(
        got == sorted(shapes),
        f"{name}: expected {wanted}, got {[(n_in, n_out) for n_in, n_out, _ in layers]}",
    )
    for n_in, n_out, has_bias in layers:
        expect(
            has_bias,
            f"{name}: nn.Linear({n_in}, {n_out}) has no bias; every layer needs one",
        )
    return set_reference_params(model, seed, gain)


# ---------------------------------------------------------------------------------------------
# Structure confirmed by outputs. A model's description (its layers, its parameter count) comes from
# the grading sandbox, where student code could have forged it; a structure check therefore also
# needs the model's outputs to confirm it, judged outside against the solution's (GRADING.md).

# Modules that act on each value alone, without parameters that matter: taken out of a skeleton.
ELEMENTWISE = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.PReLU,
    nn.RReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Tanh,
    nn.Sigmoid,
    nn.LogSigmoid,
    nn.Hardtanh,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.Softplus,
    nn.Softsign,
    nn.Tanhshrink,
    nn.Threshold,
)
POOLS = ((nn.MaxPool1d, nn.AvgPool1d), (nn.MaxPool2d, nn.AvgPool2d), (nn.MaxPool3d, nn.AvgPool3d))


class _Scaled(nn.Module):
    """A dropout layer's expected effect at training time, without randomness: x -> (1 - p) x."""

    def __init__(self, p: float):
        super().__init__()
        self.keep = 1.0 - float(p)

    def forward(self, x):
        return x * self.keep


def probe_forward(model: nn.Module, x: torch.Tensor, seed: int, skeleton: bool, train: bool = False) -> torch.Tensor:
    """`model`'s outputs on `x`, one row per example (N, -1), after changing `model` in place: the
    reference parameters for `seed` (`set_reference_params`), every dropout layer replaced by its
    expected scaling (1 - p) so that its rate shows, train mode (batch norm on batch statistics) or
    eval mode; with `skeleton`, also every elementwise activation replaced by the identity and max
    pooling by average pooling of the same window, so that what is left is the parameter layers and
    how they are wired.

    Course code, run on the student's model in the grading sandbox through `call`: student code could
    replace it there, but its outputs are judged outside against the same probe of the solution, so
    forging them takes computing the specified layers (`confirm_layers`)."""
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.modules.dropout._DropoutNd):
                setattr(parent, name, _Scaled(child.p))
            elif skeleton and isinstance(child, ELEMENTWISE):
                setattr(parent, name, nn.Identity())
            elif skeleton and isinstance(child, nn.modules.pooling._MaxPoolNd):
                average = next(average for maximum, average in POOLS if isinstance(child, maximum))
                setattr(parent, name, average(child.kernel_size, child.stride, child.padding, child.ceil_mode))
    set_reference_params(model, seed)
    model.train(train)
    weights = next(model.parameters(), None)
    if weights is not None and weights.is_floating_point():
        x = x.to(weights)  # a float64 network's structure is still its structure
    return model(x).reshape(len(x), -1)


def confirm_layers(
    name: str, build, x: torch.Tensor, seed: int, skeleton, whole, train: bool = False, tol: float = 1e-4
) -> None:
    """Fail unless the outputs of models from `build()` (a fresh one per probe) confirm that their
    parameter layers are the specified ones: the skeleton probe (`probe_forward(skeleton=True)`)
    matches `skeleton`, the solution's, or, for a forward that applies its activations as functions
    (those cannot be taken out), the whole network with the reference parameters matches `whole`,
    each within `tol` (`max_error`). The message names no expected value."""
    probes = {}
    for kind in ("skeleton", "whole"):
        label = f"{name} with the reference parameters" + (
            " and its activations taken out" if kind == "skeleton" else ""
        )
        probes[kind] = call(label, probe_forward, build(), x, seed, kind == "skeleton", train)
    if replay.recording():  # judged outside, against the solution's probes
        return

    def matches(got, expected) -> bool:
        expected = torch.as_tensor(expected)
        return (
            tuple(got.shape) == tuple(expected.shape)
            and bool(torch.isfinite(got).all())
            and max_error(got, expected) <= tol
        )

    expect(
        matches(probes["skeleton"], skeleton) or matches(probes["whole"], whole),
        f"{name}: its outputs do not confirm its layers: with the reference parameters and every activation "
        "taken out, it does not compute like the specified layers (a layer skipped, used twice or in another "
        "order, another connection, an operation written in forward)",
    )


def parameters_fingerprint(label: str, model: nn.Module, per_parameter: int = 64) -> str:
    """A SHA-256 of the first `per_parameter` values of each of `model`'s parameters (recorded raw in
    the grading sandbox, hashed here): equal when the values are, and different for any two
    initialisations that differ (each parameter's first values differ)."""
    sample = replay.state(f"{label}: parameters", _parameter_sample, model, per_parameter)
    expect(
        type(sample) is list and all(type(values) is torch.Tensor for values in sample),
        f"{label}: the sandbox's record of the parameters is malformed",
    )
    digest = hashlib.sha256()
    for values in sample:
        digest.update(values.contiguous().numpy().tobytes())
    return digest.hexdigest()


def _parameter_sample(model: nn.Module, per_parameter: int) -> list[torch.Tensor]:
    """The first `per_parameter` values of each parameter of `model`, flattened (raw)."""
    return [p.detach().cpu().flatten()[:per_parameter].clone() for p in model.parameters()]


def _summary(check) -> str:
    """The first line of a check's docstring: the behaviour it checks."""
    return (check.__doc__ or check.__name__).strip().splitlines()[0]
