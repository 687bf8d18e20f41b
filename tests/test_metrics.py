"""The sample-quality scores: their formulas, and that with the stored MNIST classifier they rank
real, degraded, collapsed and random images the way a reader would."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from helpers.metrics import (
    class_coverage,
    frechet_distance,
    inception_score,
    load_quality_model,
    save_quality_model,
    score_samples,
    weights_path,
)


def test_frechet_distance_of_one_dimensional_gaussians():
    # For N(m1, s1^2) and N(m2, s2^2) the distance is (m1 - m2)^2 + (s1 - s2)^2.
    got = frechet_distance(np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([[0.25]]))
    assert math.isclose(got, 9 + (2 - 0.5) ** 2, rel_tol=1e-12)


def test_frechet_distance_agrees_with_the_eigenvalues_of_the_product():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    c1, c2 = a @ a.T + np.eye(5), b @ b.T + np.eye(5)
    m1, m2 = rng.normal(size=5), rng.normal(size=5)
    trace_root = np.sqrt(np.linalg.eigvals(c1 @ c2).real).sum()  # Tr sqrt(C1 C2): eigenvalues of C1 C2 are real, > 0
    expected = ((m1 - m2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * trace_root
    assert math.isclose(frechet_distance(m1, c1, m2, c2), expected, rel_tol=1e-9)
    assert abs(frechet_distance(m1, c1, m1, c1)) < 1e-9


def test_inception_score_and_coverage_at_their_extremes():
    confident_balanced = np.eye(10)[np.arange(1000) % 10]
    assert math.isclose(inception_score(confident_balanced), 10, rel_tol=1e-6)
    assert class_coverage(confident_balanced) == (10, pytest.approx(1.0))
    one_class = np.eye(10)[np.zeros(1000, dtype=int)]
    assert math.isclose(inception_score(one_class), 1, rel_tol=1e-6)
    assert class_coverage(one_class) == (1, pytest.approx(0.1))
    unsure = np.full((1000, 10), 0.1)
    assert math.isclose(inception_score(unsure), 1, rel_tol=1e-6)


@pytest.fixture(scope="module")
def mnist_split(mnist_dir):
    import warnings

    from helpers import load_mnist

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # offline only the test split is here: the loader says so
        return load_mnist(data_dir=mnist_dir)


@pytest.fixture(scope="module")
def model():
    return load_quality_model("mnist")


def test_held_out_real_images_score_near_the_best(model, mnist_split):
    scores = score_samples(
        mnist_split.images[-2000:], model
    )  # never seen in training (course/authoring/classifiers.py)
    assert scores.fid < 20 and scores.inception_score > 8.5
    assert scores.classes_covered == 10 and scores.evenness > 0.95


def test_noise_and_collapse_score_badly(model, mnist_split):
    noise = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    scores = score_samples(noise, model)
    assert scores.fid > 500 and scores.inception_score < 2 and scores.classes_covered < 5
    held = mnist_split.images[-2000:]
    ones = held[mnist_split.labels[-2000:] == 1]  # a generator that draws only 1s
    collapsed = score_samples(ones, model)
    assert collapsed.classes_covered == 1 and collapsed.inception_score < 1.5 and collapsed.fid > 500
    half = score_samples(held[mnist_split.labels[-2000:] < 5], model)  # partial collapse: five classes
    assert half.classes_covered == 5 and 2 < half.inception_score < 7


def test_scores_order_a_weak_and_a_strong_generator(model, mnist_split):
    """Stand-ins for generators: real images under strong and under mild noise."""
    held = mnist_split.images[-2000:]
    generator = torch.Generator().manual_seed(1)
    strong = score_samples((held + 0.2 * torch.randn(held.shape, generator=generator)).clamp(-1, 1), model)
    weak = score_samples((held + 0.6 * torch.randn(held.shape, generator=generator)).clamp(-1, 1), model)
    assert strong.fid < weak.fid and strong.inception_score > weak.inception_score


def test_training_is_deterministic_and_the_stored_model_round_trips(mnist_split, tmp_path):
    from course.authoring.classifiers import train_quality_model

    images, labels = mnist_split.images[:512], mnist_split.labels[:512]
    a = train_quality_model(images, labels, "mnist", epochs=1)
    b = train_quality_model(images, labels, "mnist", epochs=1)
    for p, q in zip(a.classifier.parameters(), b.classifier.parameters()):
        assert torch.equal(p, q)
    np.testing.assert_array_equal(a.cov, b.cov)
    path = save_quality_model(a, tmp_path / "m.npz")
    loaded = load_quality_model("mnist", path)
    with torch.no_grad():
        assert torch.equal(loaded.classifier(images[:8]), a.classifier(images[:8]))
    assert weights_path("mnist").stat().st_size < 300_000  # small enough to keep in the repository


def test_a_missing_classifier_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m course classifiers --dataset fashion-mnist"):
        load_quality_model("fashion-mnist", tmp_path / "none.npz")
    with pytest.raises(ValueError, match="at least 2 images"):
        score_samples(torch.zeros(1, 1, 28, 28), load_quality_model("mnist"))


def test_the_fashion_mnist_classifier_is_made_from_the_files_on_disk(tmp_path):
    """No Fashion-MNIST copy here: its path through `make classifiers` runs on small IDX files."""
    from course.authoring.classifiers import HOLDOUT, main
    from idx_files import write_split

    write_split(tmp_path, "FashionMNIST", "train", HOLDOUT + 300)
    out = tmp_path / "weights" / "fashion-mnist.npz"
    trained = main("fashion-mnist", epochs=1, data_dir=tmp_path, out=out)
    loaded = load_quality_model("fashion-mnist", out)
    assert loaded.name == "fashion-mnist" and loaded.mean.shape == (64,) and loaded.cov.shape == (64, 64)
    with torch.no_grad():
        x = torch.rand(5, 1, 28, 28) * 2 - 1
        assert torch.equal(loaded.classifier(x), trained.classifier(x))
    assert score_samples(torch.rand(50, 1, 28, 28) * 2 - 1, loaded).classes_covered >= 1
    assert not weights_path("fashion-mnist").exists()  # nothing written into the repository


def test_too_few_images_for_the_holdout_is_a_clear_error(tmp_path):
    from course.authoring.classifiers import HOLDOUT, main
    from idx_files import write_split

    write_split(tmp_path, "FashionMNIST", "train", HOLDOUT)
    with pytest.raises(ValueError, match="more than the 2,000 held out"):
        main("fashion-mnist", data_dir=tmp_path, out=tmp_path / "x.npz")
