"""Checks for notebook 6, "DCGAN": the InfoGAN-style MNIST networks, weight initialisation, and the
Fashion-MNIST DCGAN of the TensorFlow homework, in PyTorch.

A network is checked twice: its layers with parameters against the specification (counts alone
would accept a wrong kernel size that happens to cost the same), confirmed by its outputs with its
activations taken out (`confirm_layers`: the description alone could be forged in the grading
sandbox), and its function with fixed reference parameters (`set_reference_params`), which is what sees the order of the layers: ReLU
before batch norm and after it hold the same parameters but compute different things. When the
function differs, the message names the first layer where the student's network runs something
other than the specification's (from a forward-hook trace).

Discriminators are compared in eval mode (dropout off); generators in train mode, the mode they
train in, where batch norm uses the batch's statistics.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import (
    assert_close,
    assert_dtype,
    assert_layers,
    assert_param_count,
    assert_shape,
    build_model,
    call,
    confirm_layers,
    described_layers,
    expect,
    graded,
    layer_signature,
    layer_trace,
    model_description,
    parameter_layers,
    probe_forward,
    replay,
    run_student,
    set_reference_params,
    trace_difference,
)

NAME = "dcgan"
ASSIGNMENT = "06_dcgan"
IMAGE_SHAPE = (1, 28, 28)
# The generators' outputs go through two batch norms over 8 or 5 samples: a feature that the ReLU before
# it leaves nearly constant has a variance near zero, and normalising it multiplies float32's rounding by
# up to 1/sqrt(eps) = 316. Measured: float64 moves dc_generator's outputs by up to 1.2e-4, another
# thread count by 6e-5; a wrong layer moves them by 1e-1 or more.
TOL = 1e-3

# The four networks: how the notebook calls the builder, and the reference cases (batch size, noise
# length for generators, seed of the inputs and of the reference parameters).
NETWORKS = {
    "dc_classifier": {"label": "build_dc_classifier()", "generator": False},
    "dc_generator": {"label": "build_dc_generator({noise_dim})", "generator": True},
    "fashion_discriminator": {"label": "build_fashion_discriminator()", "generator": False},
    "fashion_generator": {"label": "build_fashion_generator({noise_dim})", "generator": True},
}
CASES = {
    "dc_classifier": {"visible": {"batch": 8, "seed": 3}, "hidden": {"batch": 5, "seed": 17}},
    "dc_generator": {
        "visible": {"batch": 8, "noise_dim": 4, "seed": 3},
        "hidden": {"batch": 5, "noise_dim": 96, "seed": 17},
    },
    "fashion_discriminator": {"visible": {"batch": 8, "seed": 5}, "hidden": {"batch": 6, "seed": 23}},
    "fashion_generator": {
        "visible": {"batch": 8, "noise_dim": 100, "seed": 5},
        "hidden": {"batch": 6, "noise_dim": 64, "seed": 23},
    },
}
HINTS = {
    "dc_classifier": "Conv 5x5 (32) -> LeakyReLU(0.01) -> max pool 2x2 -> conv 5x5 (64) -> LeakyReLU(0.01) -> max pool "
    "2x2 -> flatten -> linear 1024 -> LeakyReLU(0.01) -> linear 1, and no sigmoid at the end",
    "dc_generator": "Each hidden layer is followed by ReLU and then batch norm (in that order); Tanh at the end",
    "fashion_discriminator": "Conv 5x5 stride 2 -> LeakyReLU(0.3) -> Dropout(0.3), twice, then flatten -> linear 1, no sigmoid",
    "fashion_generator": "Each layer but the last is followed by batch norm and then LeakyReLU(0.3); Tanh at the end",
}
DROPOUT = 0.3
DROPOUT_CLASS = "torch.nn.modules.dropout.Dropout"


def _builder_call(network: str, build, noise_dim: int | None = None) -> nn.Module:
    label = NETWORKS[network]["label"].format(noise_dim=noise_dim)
    args = (noise_dim,) if NETWORKS[network]["generator"] else ()
    return build_model(label, build, *args)


def _case_input(network: str, case: str) -> torch.Tensor:
    """The reference input: images in (-1, 1) of shape (N, 1, 28, 28), or noise (N, noise_dim)."""
    spec = CASES[network][case]
    generator = torch.Generator().manual_seed(spec["seed"])
    shape = (spec["batch"], spec["noise_dim"]) if NETWORKS[network]["generator"] else (spec["batch"], *IMAGE_SHAPE)
    return torch.rand(shape, generator=generator) * 2 - 1


def _reference_output(network: str, build, case: str) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """(model with the reference parameters in the mode it is compared in, its input, its output)."""
    spec = CASES[network][case]
    model = _builder_call(network, build, spec.get("noise_dim")).cpu()
    set_reference_params(model, seed=spec["seed"])
    model.train(NETWORKS[network]["generator"])
    x = _case_input(network, case)
    label = f"{'G(z)' if NETWORKS[network]['generator'] else 'D(x)'} for an input of shape {tuple(x.shape)}"
    return model, x, call(label, model, x)


def _check_structure(network: str, build, noise_dim: int | None = None, case: str = "visible") -> nn.Module:
    """The described layers and parameter count, confirmed by the outputs on `case`'s input."""
    answers = load_answers(NAME)
    suffix = f"_{noise_dim}" if noise_dim is not None else ""
    model = _builder_call(network, build, noise_dim)
    label = NETWORKS[network]["label"].format(noise_dim=noise_dim)
    assert_layers(label, model, [str(s) for s in answers[f"{network}_layers{suffix}"]])
    assert_param_count(label, model, int(answers[f"{network}_params{suffix}"]))
    spec = CASES[network][case]
    confirm_layers(
        NETWORKS[network]["label"].format(noise_dim=spec.get("noise_dim")),
        lambda: _builder_call(network, build, spec.get("noise_dim")),
        _case_input(network, case),
        spec["seed"],
        answers[f"{network}_skeleton_{case}"],
        answers[f"{network}_whole_{case}"],
        train=NETWORKS[network]["generator"],
        tol=TOL,
    )
    return model


def _check_function(network: str, build, case: str) -> None:
    answers = load_answers(NAME)
    model, x, out = _reference_output(network, build, case)
    trace = layer_trace(model, x)  # before judging: the grading sandbox records it either way
    generator = NETWORKS[network]["generator"]
    label = f"{'G(z)' if generator else 'D(x)'} with the reference parameters ({case} case)"
    expected = answers[f"{network}_out_{case}"]
    assert_shape(label, out, expected.shape)
    assert_dtype(label, out, torch.float32)
    if generator:
        low, high = float(out.min()), float(out.max())
        expect(
            low >= -1 and high <= 1,
            f"{label}: values must lie in [-1, 1] like the real images, got "
            f"[{low:.3f}, {high:.3f}]: end the generator with nn.Tanh()",
        )
    try:
        assert_close(label, out, expected, tol=TOL)
    except AssertionError as mismatch:
        order = trace_difference(trace, [str(s) for s in answers[f"{network}_trace"]])
        in_unit_interval = float(out.min()) >= 0 and float(out.max()) <= 1
        if not generator and in_unit_interval and not ((expected >= 0).all() and (expected <= 1).all()):
            order = (order + ". " if order else "") + "Your outputs all lie in [0, 1]: return logits, not probabilities"
        raise AssertionError(f"{mismatch}. {order + '. ' if order else ''}{HINTS[network]}") from None


# ---------------------------------------------------------------------------------------------
# The InfoGAN MNIST networks


@graded
def dc_classifier_structure(build_dc_classifier, case="visible"):
    """build_dc_classifier() has the specified layers (two 5x5 convolutions, two linear layers): 1,102,721 parameters."""
    _check_structure("dc_classifier", build_dc_classifier, case=case)


@graded
def dc_classifier_reference(build_dc_classifier, case="visible"):
    """With fixed parameters, the DCGAN classifier computes the reference logits of shape (N, 1)."""
    _check_function("dc_classifier", build_dc_classifier, case)


@graded
def dc_generator_structure(build_dc_generator, noise_dim: int = 4, case="visible"):
    """build_dc_generator(noise_dim) has the specified layers: 6,580,801 parameters at noise_dim = 4."""
    _check_structure("dc_generator", build_dc_generator, noise_dim, case)


@graded
def dc_generator_reference(build_dc_generator, case="visible"):
    """With fixed parameters, the DCGAN generator computes the reference images (ReLU before batch norm)."""
    _check_function("dc_generator", build_dc_generator, case)


# ---------------------------------------------------------------------------------------------
# Weight initialisation


def _init_probe() -> nn.Module:
    """One layer of every kind the DCGANs use, big enough for the statistics to be sharp."""
    return nn.Sequential(
        nn.Linear(512, 1024),
        nn.BatchNorm1d(1024),
        nn.ReLU(),
        nn.Unflatten(1, (64, 4, 4)),
        nn.ConvTranspose2d(64, 128, 4, stride=2, padding=1),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(0.2),
        nn.Conv2d(128, 128, 5, padding=2, bias=False),
        nn.Tanh(),
    )


@graded
def initialize_weights_matches(initialize_weights, seed: int = 0):
    """model.apply(initialize_weights): weights of linear and (transposed) convolutions ~ N(0, 0.02), biases 0,
    batch-norm scales ~ N(1, 0.02) and shifts 0."""
    torch.manual_seed(seed)
    model = _init_probe()
    for layer in model.modules():  # start far from the answer, so that a layer left alone shows
        for parameter in layer.parameters(recurse=False):
            parameter.data.fill_(0.5)
    run_student("model.apply(initialize_weights)", model.apply, initialize_weights)
    values = replay.state("the probe's parameters", _init_arrays, model)  # raw: [[weight, bias or None], ...]
    layers = [
        (type(layer).__name__, isinstance(layer, nn.modules.batchnorm._BatchNorm), layer.bias is not None)
        for layer in _init_layers(_init_probe())
    ]  # the probe is course code: its layers are known here
    expect(
        type(values) is list and len(values) == len(layers) and all(type(v) is list and len(v) == 2 for v in values),
        "the sandbox's record of the probe's parameters is malformed",
    )
    for (kind, is_scale, has_bias), (weight, bias) in zip(layers, values):
        expect(
            type(weight) is torch.Tensor and (type(bias) is torch.Tensor if has_bias else bias is None),
            "the sandbox's record of the probe's parameters is malformed",
        )
        if is_scale:
            _expect_normal(f"{kind} weight (scale)", weight, mean=1.0, std=0.02)
        else:
            _expect_normal(f"{kind} weight", weight, mean=0.0, std=0.02)
        if bias is not None:
            expect(
                bool((bias == 0).all()),
                f"{kind} bias: expected all zeros, got values in [{float(bias.min()):.3g}, {float(bias.max()):.3g}]",
            )


def _init_layers(model: nn.Module) -> list[nn.Module]:
    """The probe's linear, convolution and batch-norm layers, in registration order."""
    return [
        layer
        for layer in model.modules()
        if isinstance(layer, (nn.Linear, nn.modules.conv._ConvNd, nn.modules.batchnorm._BatchNorm))
    ]


def _init_arrays(model: nn.Module) -> list:
    """[weight, bias or None] of each of the probe's parameter layers after initialisation: raw
    values, recorded in the grading sandbox; what they are judged against is decided outside."""
    return [
        [layer.weight.detach().clone(), None if layer.bias is None else layer.bias.detach().clone()]
        for layer in _init_layers(model)
    ]


def _expect_normal(label: str, values: torch.Tensor, mean: float, std: float) -> None:
    values = values.detach().double().flatten()
    n = values.numel()
    got_mean, got_std = float(values.mean()), float(values.std())
    # Sampling error of the mean is std / sqrt(n), of the std about std / sqrt(2n): allow 6 of each.
    expect(
        abs(got_mean - mean) < 6 * std / n**0.5,
        f"{label}: expected values drawn from N({mean:g}, {std:g}^2), but their mean is {got_mean:.4g}",
    )
    expect(
        abs(got_std - std) < 6 * std / (2 * n) ** 0.5,
        f"{label}: expected values drawn from N({mean:g}, {std:g}^2), but their standard deviation is "
        f"{got_std:.4g}"
        + (" (0.02 is the standard deviation, not the variance)" if abs(got_std - std**0.5) < 0.01 else ""),
    )
    # A normal distribution puts 4.6% of its values beyond 2 standard deviations, a uniform one none.
    tails = float(((values - mean).abs() > 2 * std).double().mean())
    expect(
        tails > 0.03,
        f"{label}: only {tails:.1%} of the values lie beyond 2 standard deviations of {mean:g} "
        "(a normal distribution has 4.6%): draw them with nn.init.normal_",
    )


# ---------------------------------------------------------------------------------------------
# The Fashion-MNIST DCGAN


@graded
def fashion_generator_structure(build_fashion_generator, noise_dim: int = 100, case="visible"):
    """build_fashion_generator(noise_dim) has the specified layers, no biases: 2,305,472 parameters at noise_dim = 100."""
    _check_structure("fashion_generator", build_fashion_generator, noise_dim, case)


@graded
def fashion_generator_reference(build_fashion_generator, case="visible"):
    """With fixed parameters, the Fashion-MNIST generator computes the reference images (batch norm, then LeakyReLU)."""
    _check_function("fashion_generator", build_fashion_generator, case)


@graded
def fashion_discriminator_structure(build_fashion_discriminator, case="visible"):
    """build_fashion_discriminator() has the specified layers and two Dropout(0.3): 212,865 parameters."""
    model = _check_structure("fashion_discriminator", build_fashion_discriminator, case=case)
    description = model_description("build_fashion_discriminator()", model)
    rates = [entry["attributes"].get("p") for entry in described_layers(description, DROPOUT_CLASS)]
    expect(
        rates == [DROPOUT, DROPOUT],
        f"build_fashion_discriminator(): expected two nn.Dropout({DROPOUT}) layers, "
        f"one after each convolution's activation, got {len(rates)} with rates {rates}",
    )


@graded
def fashion_discriminator_reference(build_fashion_discriminator, case="visible"):
    """With fixed parameters and dropout off (eval mode), the Fashion-MNIST discriminator computes the reference logits."""
    _check_function("fashion_discriminator", build_fashion_discriminator, case)


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(build_dc_classifier, build_dc_generator, build_fashion_generator, build_fashion_discriminator):
    """Layer signatures, parameter counts, layer traces and reference outputs of the four solution networks."""
    builders = {
        "dc_classifier": build_dc_classifier,
        "dc_generator": build_dc_generator,
        "fashion_discriminator": build_fashion_discriminator,
        "fashion_generator": build_fashion_generator,
    }
    answers: dict[str, object] = {}
    with torch.no_grad():
        for network, build in builders.items():
            generator = NETWORKS[network]["generator"]
            noise_dims = sorted({spec["noise_dim"] for spec in CASES[network].values()}) if generator else [None]
            for noise_dim in noise_dims:
                model = build(noise_dim) if generator else build()
                suffix = f"_{noise_dim}" if generator else ""
                answers[f"{network}_layers{suffix}"] = sorted(layer_signature(m) for m in parameter_layers(model))
                answers[f"{network}_params{suffix}"] = sum(p.numel() for p in model.parameters())
            for case, spec in CASES[network].items():
                model, x, out = _reference_output(network, build, case)
                answers[f"{network}_out_{case}"] = out
                for kind in ("skeleton", "whole"):
                    probed = build(spec["noise_dim"]) if generator else build()
                    answers[f"{network}_{kind}_{case}"] = probe_forward(
                        probed, x, spec["seed"], kind == "skeleton", train=generator
                    )
                if case == "visible":
                    answers[f"{network}_trace"] = layer_trace(model, x)
    return answers
