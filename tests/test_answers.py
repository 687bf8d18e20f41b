"""The stored answers are exactly what the solutions compute, and agree with the specification."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

from conftest import REPO, SOURCE
from course.authoring import answers
from helpers import load_answers
from helpers.checks import max_error, noise_networks

MODULES = answers.exercise_modules()


def drift(module) -> float:
    """How far a stored array may move when `make answers` runs on another machine (a convolution or a
    sum rounds differently on AVX2 and AVX-512 and with another number of threads, ~1e-6 of its largest
    value): a tenth of the module's check tolerance, in the checks' measure (`max_error`: relative to
    the largest expected value)."""
    return module.TOL / 10


@contextlib.contextmanager
def another_thread_count():
    """Run PyTorch with a thread count other than this machine's: its reductions split their sums
    differently, and so round like another machine's would."""
    before = torch.get_num_threads()
    torch.set_num_threads(1 if before > 1 else 2)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def test_every_assignment_with_checks_has_a_source_notebook():
    assert MODULES, "no exercise modules found in helpers.checks"
    for module in MODULES:
        assert (SOURCE / module.ASSIGNMENT).is_dir(), f"{module.__name__}: no notebooks/{module.ASSIGNMENT}/"


@pytest.mark.slow  # runs the whole notebook
@pytest.mark.usefixtures("mnist_dir")  # the visible run executes the whole notebook
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.NAME)
def test_regenerated_answers_match_the_committed_ones(module, tmp_path):
    """`make answers` on a clean checkout changes nothing: same keys and dtypes, the same values
    (floats within `drift`, far below the checks' own tolerance: a convolution rounds differently
    on another CPU), in the visible file and in the grader's hidden one; and the writer is
    deterministic (the same values give the same bytes on one machine). Regenerated with another
    thread count than the machine's, as the answers' ill-conditioned computations would round on
    another machine: the CI machine is not the one that wrote them, and this test should fail here first."""
    with another_thread_count():
        written = answers.regenerate_module(module, SOURCE, tmp_path)
    for path in written:
        committed = REPO / "answers" / path.relative_to(tmp_path)
        with np.load(path) as new, np.load(committed) as old:
            assert sorted(new.files) == sorted(old.files), f"{committed}: run `make answers`"
            for key in new.files:
                assert new[key].dtype == old[key].dtype, key
                message = f"{committed}: {key} differs; run `make answers`"
                if np.issubdtype(new[key].dtype, np.floating):  # in the checks' own measure of an error
                    assert new[key].shape == old[key].shape, message
                    assert max_error(new[key], old[key]) <= drift(module), (
                        f"{message} ({max_error(new[key], old[key]):.2g})"
                    )
                else:
                    np.testing.assert_array_equal(new[key], old[key], err_msg=message)
            again = tmp_path / "again.npz"
            answers.save({key: new[key] for key in new.files}, again)
        assert again.read_bytes() == path.read_bytes(), "same values, different bytes: the writer is not deterministic"


@pytest.mark.slow  # runs the whole notebook
@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.NAME)
def test_every_check_passes_with_the_answers_moved_by_the_drift_allowed(module, tmp_path, monkeypatch):
    """Answers made on another machine may differ by `drift`: the solution must still pass every check,
    visible and hidden, with each stored float moved by that much (up or down, seeded)."""
    from conftest import source_notebook
    from course.authoring import inprocess
    from helpers import answers as stored

    generator = np.random.default_rng(0)
    for path in [REPO / "answers" / f"{module.NAME}.npz", REPO / "answers" / "hidden" / f"{module.NAME}.npz"]:
        moved = {}
        with np.load(path) as values:
            for key in values.files:
                value = values[key]
                if np.issubdtype(value.dtype, np.floating):
                    step = drift(module) * np.maximum(1.0, np.abs(value)) * generator.choice([-1.0, 1.0], value.shape)
                    value = (value + step).astype(value.dtype)
                moved[key] = value
        target = tmp_path / path.relative_to(REPO / "answers")
        target.parent.mkdir(parents=True, exist_ok=True)
        answers.save(moved, target)
    monkeypatch.setenv(stored.ANSWERS_ENV, str(tmp_path))
    stored._load.cache_clear()
    try:
        nb = source_notebook(module.ASSIGNMENT)
        run = inprocess.run(nb, name=f"{module.NAME} with moved answers")
    finally:
        stored._load.cache_clear()
    assert run.failed_tests(nb) == set(), run.errors


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.NAME)
def test_the_hidden_cases_values_are_only_in_the_graders_file(module):
    with (
        np.load(REPO / "answers" / f"{module.NAME}.npz") as shown,
        np.load(REPO / "answers" / "hidden" / f"{module.NAME}.npz") as hidden,
    ):
        assert shown.files and hidden.files and not set(shown.files) & set(hidden.files)
        assert not [key for key in shown.files if key.endswith("_hidden")]
        assert [key for key in hidden.files if key.endswith("_hidden")], "no hidden case in the grader's file"
    assert set(load_answers(module.NAME)) == set(shown.files) | set(hidden.files)  # the grader reads both


def fc_param_count(sizes):
    """Weights and biases of a stack of fully connected layers sizes[0] -> sizes[1] -> ..."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def test_noise_networks_parameter_counts_match_the_specification():
    stored = load_answers("noise_networks")
    assert fc_param_count([784, 256, 256, 1]) == 267_009  # the figure, by the formula
    assert fc_param_count([4, 1024, 1024, 784]) == 1_858_320
    assert int(stored["D_param_count"]) == 267_009
    assert int(stored["G_param_count_4"]) == 1_858_320
    assert int(stored["G_param_count_96"]) == fc_param_count([96, 1024, 1024, 784])


def test_noise_networks_reference_cases_are_well_formed():
    stored = load_answers("noise_networks")
    for case, spec in noise_networks.CASES.items():
        assert stored[f"D_x_{case}"].shape == (spec["batch"], 784)
        assert stored[f"D_logits_{case}"].shape == (spec["batch"], 1)
        assert stored[f"G_z_{case}"].shape == (spec["batch"], spec["noise_dim"])
        assert stored[f"G_images_{case}"].shape == (spec["batch"], 784)
        for key in (f"D_x_{case}", f"G_z_{case}", f"G_images_{case}"):
            assert np.abs(stored[key]).max() <= 1  # inputs are noise/images, outputs come from Tanh
        # the logits take both signs: a check against them is not fooled by a constant
        assert stored[f"D_logits_{case}"].min() < 0 < stored[f"D_logits_{case}"].max()
    assert stored["G_z_visible"].shape[1] != stored["G_z_hidden"].shape[1], "hidden case must use another noise_dim"


# ---------------------------------------------------------------------------------------------
# notebook 1: the simulated keys agree with linear algebra, computed here independently


def test_minimax_step_range_agrees_with_the_spectral_radius():
    """GDA on f is the linear map I + lr * J, J the Jacobian of (-df/dx, +df/dy); it converges iff its spectral radius < 1."""
    stored = load_answers("minimax")
    jacobian = np.array([[-8.0, 0.0], [0.0, -8.0]])  # d/d(x, y) of (-8x, -8y)
    lrs = np.linspace(1e-4, 1.0, 100_000)
    radius = np.array([np.abs(np.linalg.eigvals(np.eye(2) + lr * jacobian)).max() for lr in lrs[::100]])
    converging = lrs[::100][radius < 1]
    assert converging.min() <= 2e-3 and abs(converging.max() - float(stored["lr_range"][1])) < 2e-3
    assert float(stored["lr_range"][0]) == 0.0
    assert abs(float(stored["lr_boundary_simulated"]) - float(stored["lr_range"][1])) < 1e-3


def test_minimax_alternating_period_agrees_with_the_update_matrix():
    """Alternating updates on xy with lr 1 are (x, y) -> M (x, y); the table returns when M^k = I."""
    stored = load_answers("minimax")
    lr = 1.0
    y_first = np.array([[1.0, 0.0], [lr, 1.0]])  # y += lr * x
    x_second = np.array([[1.0, -lr], [0.0, 1.0]])  # x -= lr * y_new
    M = x_second @ y_first
    period = next(k for k in range(1, 50) if np.allclose(np.linalg.matrix_power(M, k), np.eye(2)))
    assert int(stored["returns_after"]) == period
    table = stored["alternating_table"]
    expected = np.array([np.linalg.matrix_power(M, t) @ [1.0, 1.0] for t in range(len(table))])
    np.testing.assert_allclose(table, expected)
    assert not bool(stored["reaches_optimum"])  # M is invertible: a nonzero start never maps to (0, 0)
    assert np.isclose(abs(np.linalg.det(M)), 1.0)


def test_minimax_saddle_and_value():
    stored = load_answers("minimax")
    x, y = stored["saddle_f"]
    assert (8 * x, -8 * y) == (0, 0)  # grad f vanishes; f'' is +8 in x (min) and -8 in y (max)
    # xy's saddle solves grad = (y, x) = 0: the null space of [[0, 1], [1, 0]], which is {0}
    saddle_xy = np.linalg.solve(np.array([[0.0, 1.0], [1.0, 0.0]]), np.zeros(2))
    assert float(stored["xy_minmax_value"]) == saddle_xy[0] * saddle_xy[1]


# ---------------------------------------------------------------------------------------------
# notebook 2: the keys re-derived here in float64 NumPy, and the theory's identities hold on them


def _xlogy(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, b, 1.0)), 0.0)


def test_gan_theory_keys_agree_with_float64_numpy():
    from helpers.checks import gan_theory

    stored = load_answers("gan_theory")
    _, dx = gan_theory.grid()
    for case in gan_theory.PAIRS:
        for name in gan_theory.PAIRS[case]:
            p, q = stored[f"p_data_{name}"].astype(np.float64), stored[f"p_g_{name}"].astype(np.float64)
            assert abs(p.sum() * dx - 1) < 1e-5 and abs(q.sum() * dx - 1) < 1e-5
            total = p + q
            d = np.divide(p, total, out=np.full_like(total, 0.5), where=total > 0)
            np.testing.assert_allclose(stored[f"d_star_{name}"], d, atol=1e-6)
            value = float(((_xlogy(p, d) + _xlogy(q, 1 - d)) * dx).sum())
            m = (p + q) / 2
            js = 0.5 * float(((_xlogy(p, p) - _xlogy(p, m)) * dx).sum()) + 0.5 * float(
                ((_xlogy(q, q) - _xlogy(q, m)) * dx).sum()
            )
            assert abs(float(stored[f"value_star_{name}"]) - value) < 1e-5
            x = np.linspace(gan_theory.LOW, gan_theory.HIGH, gan_theory.POINTS)
            sigmoid = 1 / (1 + np.exp(-(0.8 * x - 0.3)))
            edge = np.where(p == 0, 0.0, np.where(q == 0, 1.0, sigmoid))
            edge_value = float(((_xlogy(p, edge) + _xlogy(q, 1 - edge)) * dx).sum())
            assert abs(float(stored[f"value_edge_{name}"]) - edge_value) < 1e-4
            assert abs(float(stored[f"js_{name}"]) - js) < 1e-5
            assert abs(value - (-np.log(4) + 2 * js)) < 1e-5  # the theorem, on the key itself
    assert abs(float(stored["js_identical"])) < 1e-6 and abs(float(stored["value_star_identical"]) + np.log(4)) < 1e-5
    assert abs(float(stored["js_disjoint"]) - np.log(2)) < 1e-5  # disjoint supports: JS is ln 2
    assert abs(float(stored["min_value"]) + np.log(4)) < 1e-6


def test_gan_theory_gradients_agree_with_autograd():
    from helpers.checks import gan_theory

    stored = load_answers("gan_theory")
    for case in gan_theory.D_VALUES:
        d = torch.tensor(gan_theory.D_VALUES[case], dtype=torch.float64, requires_grad=True)
        saturating = torch.autograd.grad(torch.log(1 - d).sum(), d)[0]
        non_saturating = torch.autograd.grad((-torch.log(d)).sum(), d)[0]
        np.testing.assert_allclose(
            stored[f"loss_grads_{case}"], torch.stack([saturating, non_saturating]).numpy(), rtol=1e-5
        )
        s = torch.tensor(gan_theory.LOGITS[case], dtype=torch.float64, requires_grad=True)
        saturating = torch.autograd.grad(torch.log1p(-torch.sigmoid(s)).sum(), s)[0]
        non_saturating = torch.autograd.grad((-torch.nn.functional.logsigmoid(s)).sum(), s)[0]
        np.testing.assert_allclose(
            stored[f"logit_grads_{case}"], torch.stack([saturating, non_saturating]).numpy(), rtol=1e-5, atol=1e-7
        )


def test_cats_and_dogs_key_agrees_with_a_continuous_version():
    """Cats and dogs as two disjoint bumps on the real line give the same d* and value as the two-point version."""
    from helpers.checks import gan_theory

    stored = load_answers("gan_theory")
    x = np.linspace(-8, 8, 1601)
    dx = x[1] - x[0]
    cat, dog = np.exp(-0.5 * ((x + 3) / 0.5) ** 2), np.exp(-0.5 * ((x - 3) / 0.5) ** 2)
    cat, dog = (np.where(b > 1e-12, b, 0.0) for b in (cat, dog))  # cut the tails: disjoint bumps
    cat, dog = cat / (cat.sum() * dx), dog / (dog.sum() * dx)
    for case, fractions in gan_theory.CATS.items():
        for row, (data_cats, gen_cats) in zip(stored[f"cats_{case}"], fractions):
            p, q = data_cats * cat + (1 - data_cats) * dog, gen_cats * cat + (1 - gen_cats) * dog
            total = p + q
            d = np.divide(p, total, out=np.full_like(total, 0.5), where=total > 1e-300)
            value = float(((_xlogy(p, d) + _xlogy(q, 1 - d)) * dx).sum())
            at_cat, at_dog = d[np.argmin(np.abs(x + 3))], d[np.argmin(np.abs(x - 3))]
            np.testing.assert_allclose(row, [at_cat, at_dog, value], atol=1e-5)
    # the exercise itself: half the data are cats, the generator draws only dogs
    d_cat, d_dog, value = stored["cats_visible"][0]
    assert (d_cat, round(float(d_dog), 6)) == (1.0, round(1 / 3, 6))


# ---------------------------------------------------------------------------------------------
# notebook 4: the keys re-derived with torch's own BCE-with-logits and an oracle step written here


def test_gan_losses_keys_agree_with_torch_bce():
    import torch.nn.functional as F

    from helpers.checks import gan_losses

    stored = load_answers("gan_losses")

    def bce(logits, target):
        return F.binary_cross_entropy_with_logits(logits.double(), torch.full_like(logits.double(), target))

    for case in gan_losses.LOGITS:
        real, fake = gan_losses.logits_case(case)
        assert abs(float(stored[f"d_loss_{case}"]) - float(bce(real, 1) + bce(fake, 0))) < 1e-5
        assert abs(float(stored[f"g_loss_{case}"]) - float(bce(fake, 1))) < 1e-5
    real, fake = gan_losses.EXTREME
    assert abs(float(stored["d_loss_extreme"]) - float(bce(real, 1) + bce(fake, 0))) < 1e-4
    assert abs(float(stored["g_loss_extreme"]) - float(bce(fake, 1))) < 1e-4
    # d/ds of mean BCE(s, t) over N logits is (sigmoid(s) - t) / N, finite at every logit
    n = real.numel()
    expected_d = torch.stack([(torch.sigmoid(real.double()) - 1) / n, torch.sigmoid(fake.double()) / n])
    assert torch.allclose(torch.tensor(stored["d_loss_extreme_grads"]).double(), expected_d, atol=1e-7)
    assert torch.allclose(
        torch.tensor(stored["g_loss_extreme_grads"]).double(), ((torch.sigmoid(fake.double()) - 1) / n)[None], atol=1e-7
    )


def test_gan_step_key_agrees_with_an_oracle_step():
    """Algorithm 1 written out here, independently of the notebook: k D updates, then one G update."""
    from helpers.checks import gan_losses

    stored = load_answers("gan_losses")
    for case in gan_losses.STEP_CASES:
        spec, batches = gan_losses.step_inputs(case)
        D, G = gan_losses.reference_models(spec["seed"])
        opt_D, opt_G = torch.optim.SGD(D.parameters(), lr=0.1), torch.optim.SGD(G.parameters(), lr=0.1)
        losses = []
        for x_real, z in batches:
            for i in range(spec["k"]):
                opt_D.zero_grad()
                loss_D = gan_losses.stand_in_loss_D(D(x_real[i]), D(G(z[i]).detach()))
                loss_D.backward()
                opt_D.step()
            opt_G.zero_grad()
            loss_G = gan_losses.stand_in_loss_G(D(G(z[spec["k"] - 1])))
            loss_G.backward()
            opt_G.step()
            losses += [float(loss_D.detach()), float(loss_G.detach())]
        params = torch.cat([p.detach().flatten() for p in (*D.parameters(), *G.parameters())])
        np.testing.assert_allclose(stored[f"step_params_{case}"], params.numpy(), atol=1e-6)
        np.testing.assert_allclose(stored[f"step_losses_{case}"], losses, atol=1e-6)


def test_lsgan_keys_agree_with_equation_9_in_numpy():
    """Mao et al., eq. 9 with a = 0, b = c = 1, written here in float64 NumPy."""
    from helpers.checks import lsgan

    stored = load_answers("lsgan")
    cases = {case: lsgan.scores_case(case) for case in lsgan.SCORES} | {"large": lsgan.LARGE}
    for case, (real, fake) in cases.items():
        real, fake = real.double().numpy(), fake.double().numpy()
        np.testing.assert_allclose(
            stored[f"d_loss_{case}"], 0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake**2), rtol=1e-6
        )
        np.testing.assert_allclose(stored[f"g_loss_{case}"], 0.5 * np.mean((fake - 1) ** 2), rtol=1e-6)


def _dcgan_reference_networks(noise_dim):
    """The four networks of notebook 6 written here from the specification (InfoGAN appendix C.1 and
    the TensorFlow DCGAN tutorial), independently of the notebook's solution cells."""
    from torch import nn

    classifier = nn.Sequential(
        nn.Conv2d(1, 32, 5),
        nn.LeakyReLU(0.01),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5),
        nn.LeakyReLU(0.01),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1024, 1024),
        nn.LeakyReLU(0.01),
        nn.Linear(1024, 1),
    )
    generator = nn.Sequential(
        nn.Linear(noise_dim, 1024),
        nn.ReLU(),
        nn.BatchNorm1d(1024),
        nn.Linear(1024, 6272),
        nn.ReLU(),
        nn.BatchNorm1d(6272),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1),
        nn.ReLU(),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, 4, 2, 1),
        nn.Tanh(),
    )
    fashion_d = nn.Sequential(
        nn.Conv2d(1, 64, 5, 2, 2),
        nn.LeakyReLU(0.3),
        nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, 2, 2),
        nn.LeakyReLU(0.3),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(6272, 1),
    )
    fashion_g = nn.Sequential(
        nn.Linear(noise_dim, 12544, bias=False),
        nn.BatchNorm1d(12544),
        nn.LeakyReLU(0.3),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(0.3),
        nn.ConvTranspose2d(128, 64, 5, 2, 2, 1, bias=False),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(0.3),
        nn.ConvTranspose2d(64, 1, 5, 2, 2, 1, bias=False),
        nn.Tanh(),
    )
    return {
        "dc_classifier": classifier,
        "dc_generator": generator,
        "fashion_discriminator": fashion_d,
        "fashion_generator": fashion_g,
    }


def test_dcgan_parameter_counts_match_the_specification():
    """Counted by hand from the layer shapes; the issue's 1,102,721 and 6,580,801, and Keras's trainable counts."""
    stored = load_answers("dcgan")
    conv = lambda c_in, c_out, k, bias=True: c_in * c_out * k * k + (c_out if bias else 0)  # noqa: E731
    linear = lambda n_in, n_out, bias=True: n_in * n_out + (n_out if bias else 0)  # noqa: E731
    assert (
        int(stored["dc_classifier_params"])
        == conv(1, 32, 5) + conv(32, 64, 5) + linear(1024, 1024) + linear(1024, 1)
        == 1_102_721
    )
    for noise_dim in (4, 96):
        expected = (
            linear(noise_dim, 1024)
            + 2 * 1024
            + linear(1024, 6272)
            + 2 * 6272
            + conv(128, 64, 4)
            + 2 * 64
            + conv(64, 1, 4)
        )
        assert int(stored[f"dc_generator_params_{noise_dim}"]) == expected
    assert int(stored["dc_generator_params_4"]) == 6_580_801
    assert int(stored["fashion_discriminator_params"]) == conv(1, 64, 5) + conv(64, 128, 5) + linear(6272, 1) == 212_865
    for noise_dim in (100, 64):
        expected = (
            linear(noise_dim, 12544, False)
            + 2 * 12544
            + conv(256, 128, 5, False)
            + 2 * 128
            + conv(128, 64, 5, False)
            + 2 * 64
            + conv(64, 1, 5, False)
        )
        assert int(stored[f"fashion_generator_params_{noise_dim}"]) == expected
    assert int(stored["fashion_generator_params_100"]) == 2_305_472


def test_dcgan_reference_outputs_agree_with_networks_written_from_the_specification():
    from helpers.checks import dcgan, layer_signature, parameter_layers, set_reference_params

    stored = load_answers("dcgan")
    for network, cases in dcgan.CASES.items():
        for case, spec in cases.items():
            model = _dcgan_reference_networks(spec.get("noise_dim", 100))[network]
            set_reference_params(model, seed=spec["seed"])
            model.train(dcgan.NETWORKS[network]["generator"])
            with torch.no_grad():
                out = model(dcgan._case_input(network, case))
            assert max_error(out, stored[f"{network}_out_{case}"]) <= drift(dcgan), f"{network} {case}"
            suffix = f"_{spec['noise_dim']}" if "noise_dim" in spec else ""
            assert sorted(stored[f"{network}_layers{suffix}"]) == sorted(
                layer_signature(m) for m in parameter_layers(model)
            )


def test_wgan_loss_keys_agree_with_numpy():
    from helpers.checks import wgan

    stored = load_answers("wgan")
    for case in wgan.SCORES:
        real, fake = (t.double().numpy() for t in wgan.scores_case(case))
        np.testing.assert_allclose(stored[f"critic_loss_{case}"], fake.mean() - real.mean(), rtol=1e-6)
        np.testing.assert_allclose(stored[f"generator_loss_{case}"], -fake.mean(), rtol=1e-6)


def test_gradient_penalty_key_agrees_with_the_analytic_gradient():
    """For D(x) = w2 . tanh(W1 x + b1) + b2 the input gradient is W1^T (w2 * (1 - tanh^2)): the penalty and
    its parameter gradients computed from that formula in float64, without autograd.grad(create_graph)."""
    from helpers.checks import wgan

    stored = load_answers("wgan")
    for case in wgan.GP_CASES:
        critic, x_real, x_fake, epsilon = wgan.gp_case(case)
        n = x_real.shape[0]
        W1, b1, w2, b2 = (p.detach().double().clone().requires_grad_(True) for p in critic.parameters())
        e = epsilon.double().view(n, 1)
        x_hat = e * x_real.double().reshape(n, -1) + (1 - e) * x_fake.double().reshape(n, -1)  # (N, F)
        hidden = torch.tanh(x_hat @ W1.T + b1)  # (N, 8)
        grad = (w2 * (1 - hidden**2)) @ W1  # (N, F)
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        np.testing.assert_allclose(stored[f"gp_{case}"], float(penalty.detach()), rtol=1e-5)
        grads = torch.autograd.grad(penalty, [W1, b1, w2, b2], allow_unused=True)
        flat = torch.cat([(torch.zeros_like(p) if g is None else g).flatten() for p, g in zip((W1, b1, w2, b2), grads)])
        np.testing.assert_allclose(stored[f"gp_param_grads_{case}"], flat.numpy(), rtol=1e-4, atol=1e-5)
        assert float(flat[-1]) == 0.0  # the output bias never reaches the penalty


def test_conditional_keys_agree_with_networks_written_from_the_specification():
    from torch import nn

    from helpers.checks import conditional, set_reference_weights

    stored = load_answers("conditional")
    for case, spec in conditional.CASES.items():
        z, x, y = conditional.case_inputs(case)
        labels = torch.zeros(len(y), 10).scatter_(1, y.unsqueeze(1), 1.0)
        G = nn.Sequential(
            nn.Linear(spec["noise_dim"] + 10, 1024),
            nn.ReLU(),
            nn.Linear(1024, 1024),
            nn.ReLU(),
            nn.Linear(1024, 784),
            nn.Tanh(),
        )
        D = nn.Sequential(
            nn.Linear(794, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256), nn.LeakyReLU(0.01), nn.Linear(256, 1)
        )
        set_reference_weights("G", G, conditional.g_shapes(spec["noise_dim"]), seed=spec["seed"])
        set_reference_weights("D", D, conditional.D_SHAPES, seed=spec["seed"])
        with torch.no_grad():
            images = G(torch.cat([z, labels], dim=1)).view(-1, 1, 28, 28)
            logits = D(torch.cat([x.reshape(len(x), -1), labels], dim=1))
        np.testing.assert_allclose(stored[f"G_images_{case}"], images.numpy(), atol=1e-5)
        np.testing.assert_allclose(stored[f"D_logits_{case}"], logits.numpy(), atol=1e-5)


def test_hinge_keys_agree_with_numpy():
    from helpers.checks import stabilising

    stored = load_answers("stabilising")
    for case in stabilising.LOGITS:
        real, fake = (t.double().numpy() for t in stabilising.logits_case(case))
        expected = np.maximum(0, 1 - real).mean() + np.maximum(0, 1 + fake).mean()
        np.testing.assert_allclose(stored[f"hinge_D_{case}"], expected, rtol=1e-6)
        np.testing.assert_allclose(stored[f"hinge_G_{case}"], -fake.mean(), rtol=1e-6)


def test_power_iteration_keys_agree_with_float64_numpy_and_pytorchs_spectral_norm():
    """sigma and u of Miyato et al.'s Algorithm 1 in float64 NumPy; and u is also what
    torch.nn.utils.parametrizations.spectral_norm makes from the same start (it keeps v, and
    computes u from it first: started from v = W^T u / ||W^T u||, its u buffer follows the same path)."""
    from torch import nn
    from torch.nn.utils.parametrizations import spectral_norm

    from helpers.checks import stabilising

    stored = load_answers("stabilising")
    for case, spec in stabilising.POWER.items():
        W, u0 = stabilising.power_case(case)
        for iterations in spec["iterations"]:
            matrix, u = W.double().numpy(), u0.double().numpy()
            for _ in range(iterations):
                v = matrix.T @ u / np.linalg.norm(matrix.T @ u)
                u = matrix @ v / np.linalg.norm(matrix @ v)
            np.testing.assert_allclose(stored[f"power_sigma_{case}_{iterations}"], u @ matrix @ v, rtol=1e-5)
            np.testing.assert_allclose(stored[f"power_u_{case}_{iterations}"], u, atol=1e-5)

            layer = nn.Linear(W.shape[1], W.shape[0], bias=False)
            with torch.no_grad():
                layer.weight.copy_(W)
            spectral_norm(layer, n_power_iterations=iterations)
            normaliser = layer.parametrizations.weight[0]
            with torch.no_grad():
                normaliser._v.copy_(torch.nn.functional.normalize(W.T @ u0, dim=0))
                layer.weight.sum()  # train mode: reading the weight makes `iterations` power iterations
            np.testing.assert_allclose(stored[f"power_u_{case}_{iterations}"], normaliser._u.numpy(), atol=1e-5)


def test_r1_keys_agree_with_the_analytic_gradient():
    """For D(x) = w2 . tanh(W1 x + b1) + b2 the input gradient is W1^T (w2 * (1 - tanh^2)): the penalty,
    the loss with the checks' probe loss and their parameter gradients from that formula, in float64."""
    from helpers.checks import stabilising

    stored = load_answers("stabilising")
    for case in stabilising.R1:
        D, x_real, x_fake, gamma = stabilising.r1_case(case)
        n = x_real.shape[0]
        parameters = [p.detach().double().clone().requires_grad_(True) for p in D.parameters()]
        W1, b1, w2, b2 = parameters

        hidden_real = torch.tanh(x_real.double().reshape(n, -1) @ W1.T + b1)  # (N, 8)
        hidden_fake = torch.tanh(x_fake.double().reshape(n, -1) @ W1.T + b1)
        grad = (w2 * (1 - hidden_real**2)) @ W1  # (N, F)
        penalty = gamma / 2 * (grad**2).sum(dim=1).mean()
        logits_real, logits_fake = hidden_real @ w2.T + b2, hidden_fake @ w2.T + b2  # (N, 1)
        loss = (0.5 * logits_fake - 2.0 * logits_real).mean() + penalty
        for key, value in (("r1", penalty), ("r1_loss", loss)):
            np.testing.assert_allclose(stored[f"{key}_{case}"], float(value.detach()), rtol=1e-5)
            grads = torch.autograd.grad(value, parameters, retain_graph=True, allow_unused=True)
            np.testing.assert_allclose(
                stored[f"{key}_param_grads_{case}"],
                torch.cat(
                    [(torch.zeros_like(p) if g is None else g).flatten() for p, g in zip(parameters, grads)]
                ).numpy(),
                rtol=1e-4,
                atol=1e-5,
            )


def test_knn_and_precision_recall_keys_agree_with_loops_in_numpy():
    from helpers.checks import stabilising

    stored = load_answers("stabilising")
    for case in stabilising.KNN:
        features, k = stabilising.knn_case(case)
        points = features.double().numpy()
        radii = [
            sorted(np.linalg.norm(p - q) for j, q in enumerate(points) if j != i)[k - 1] for i, p in enumerate(points)
        ]
        np.testing.assert_allclose(stored[f"knn_{case}"], radii, rtol=1e-5)
    for case in stabilising.PR:
        real, fake, real_radii, fake_radii = (t.double().numpy() for t in stabilising.pr_case(case))

        def inside(point, centres, radii):
            return any(np.linalg.norm(point - c) <= r for c, r in zip(centres, radii))

        precision = np.mean([inside(f, real, real_radii) for f in fake])
        recall = np.mean([inside(r, fake, fake_radii) for r in real])
        assert (
            0.1 < precision < 0.9 and 0.1 < recall < 0.9 and abs(precision - recall) > 0.1
        )  # a case that tells them apart
        np.testing.assert_allclose(stored[f"precision_{case}"], precision, rtol=1e-6)
        np.testing.assert_allclose(stored[f"recall_{case}"], recall, rtol=1e-6)
