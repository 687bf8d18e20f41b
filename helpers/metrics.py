"""Sample quality as numbers, offline: a small classifier's view of generated images.

A small convolutional classifier per data set (trained by `python -m course classifiers` from the
data on disk; its weights and the statistics of real images' features live in
helpers/weights/<name>.npz) gives three scores for a batch of generated images:

- **Fréchet distance** between the Gaussians fitted to the features of real and of generated
  images (FID, Heusel et al. 2017, with this classifier in place of Inception): 0 for the real
  distribution, larger is worse;
- **Inception-style score** exp(E_x KL(p(y|x) || p(y))) (Salimans et al. 2016): up to 10 when every
  image is confidently one class and the classes are balanced, 1 for a single class or for mush;
- **class coverage**: how many of the 10 classes the predicted labels hit (at least a fifth of their
  fair share), and how evenly (exp(entropy) / 10).

The scores are comparable between runs of this course, not with published FID values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from helpers.utils import evenness

WEIGHTS_DIR = Path(__file__).parent / "weights"
CLASSES = 10


class Classifier(nn.Module):
    """images (N, 1, 28, 28) in [-1, 1] -> logits (N, 10); `features` gives the 64 values before the last layer."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 8, 14, 14)
            nn.Conv2d(8, 16, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 16, 7, 7)
            nn.Flatten(),
            nn.Linear(16 * 7 * 7, 64),
            nn.ReLU(),  # (N, 64)
        )
        self.head = nn.Linear(64, CLASSES)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x.reshape(-1, 1, 28, 28))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@dataclass
class QualityModel:
    """A trained classifier and the mean (64,) and covariance (64, 64) of real images' features."""

    classifier: Classifier
    mean: np.ndarray
    cov: np.ndarray
    name: str


@dataclass
class Scores:
    fid: float
    inception_score: float
    classes_covered: int
    evenness: float

    def __str__(self) -> str:
        return (
            f"FID {self.fid:.2f}, IS {self.inception_score:.2f}, "
            f"{self.classes_covered}/10 classes, evenness {self.evenness:.2f}"
        )


def weights_path(name: str) -> Path:
    return WEIGHTS_DIR / f"{name}.npz"


def save_quality_model(model: QualityModel, path: Path | None = None) -> Path:
    """Store the classifier's parameters and the feature statistics as plain arrays (no pickle)."""
    path = path or weights_path(model.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"param/{k}": v.detach().cpu().numpy() for k, v in model.classifier.state_dict().items()}
    np.savez_compressed(path, mean=model.mean, cov=model.cov, **arrays)
    return path


def load_quality_model(name: str = "mnist", path: Path | None = None) -> QualityModel:
    """The stored classifier for data set `name` ("mnist" or "fashion-mnist"), in eval mode on the CPU.

    Loading draws no random numbers: a training run gives the same result with or without it."""
    path = path or weights_path(name)
    if not path.exists():
        raise FileNotFoundError(
            f"no quality classifier for {name!r} at {path}: train one with "
            f"`python -m course classifiers --dataset {name}` (needs the data set on disk)"
        )
    with np.load(path, allow_pickle=False) as stored, torch.random.fork_rng(devices=[]):
        classifier = Classifier()  # its random initial weights are overwritten: leave the caller's random numbers alone
        state = {k.removeprefix("param/"): torch.from_numpy(stored[k]) for k in stored.files if k.startswith("param/")}
        classifier.load_state_dict(state)
        return QualityModel(
            classifier.eval(), stored["mean"].astype(np.float64), stored["cov"].astype(np.float64), name
        )


@torch.no_grad()
def features_and_probs(classifier: Classifier, images: torch.Tensor, batch_size: int = 1000):
    """(features (N, 64) float64, class probabilities (N, 10) float64) of images (N, 1, 28, 28) or (N, 784)."""
    classifier.eval()
    feats, probs = [], []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].detach().float().cpu()
        f = classifier.features(x)
        feats.append(f.double())
        probs.append(torch.softmax(classifier.head(f), dim=1).double())
    return torch.cat(feats).numpy(), torch.cat(probs).numpy()


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mean1, cov1, mean2, cov2) -> float:
    """||m1 - m2||^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2)), with the trace of the square root taken through
    the symmetric matrix C1^(1/2) C2 C1^(1/2), whose eigenvalues are those of C1 C2."""
    values, vectors = np.linalg.eigh(cov1)
    root1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root1 @ cov2 @ root1)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(((mean1 - mean2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * trace_root)


def inception_score(probs: np.ndarray) -> float:
    """exp(mean over images of KL(p(y|x) || p(y))), p(y) the mean of the p(y|x)."""
    marginal = probs.mean(axis=0, keepdims=True)
    kl = (probs * (np.log(probs + 1e-12) - np.log(marginal + 1e-12))).sum(axis=1)
    return float(np.exp(kl.mean()))


def class_coverage(probs: np.ndarray, min_share: float = 0.2) -> tuple[int, float]:
    """(classes predicted for at least min_share of their fair share of images, exp(entropy) / 10)."""
    counts = np.bincount(probs.argmax(axis=1), minlength=CLASSES)
    return int((counts >= min_share * len(probs) / CLASSES).sum()), evenness(counts)


def score_samples(images: torch.Tensor, model: QualityModel | str = "mnist") -> Scores:
    """Score generated images (N, 1, 28, 28) in [-1, 1] against the real data the classifier was fitted to.

    Use a few thousand images: the Fréchet distance is biased upwards for small N.
    """
    if isinstance(model, str):
        model = load_quality_model(model)
    if len(images) < 2:
        raise ValueError("score_samples needs at least 2 images (a covariance)")
    features, probs = features_and_probs(model.classifier, images)
    mean, cov = feature_statistics(features)
    covered, evenness = class_coverage(probs)
    return Scores(frechet_distance(model.mean, model.cov, mean, cov), inception_score(probs), covered, evenness)
