"""Train the small classifiers behind helpers.metrics from the data on disk (`make classifiers`).

Deterministic: a fixed seed, one thread and a seeded order give the same weights on every run on a
machine (across CPUs, up to float round-off). The last HOLDOUT images of the split are kept out of
training; the accuracy on them is printed, and the tests score them as real images the classifier
has not seen. The feature statistics (the Fréchet distance's reference) come from the training
images.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.data import load_dataset
from helpers.metrics import Classifier, QualityModel, feature_statistics, features_and_probs, save_quality_model

HOLDOUT = 2000


def train_quality_model(
    images: torch.Tensor, labels: torch.Tensor, name: str, epochs: int = 4, seed: int = 0, batch_size: int = 128
) -> QualityModel:
    """Fit a Classifier to images (N, 1, 28, 28) in [-1, 1] and labels (N,) and record its feature statistics."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same order of sums on every run
    try:
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        classifier = Classifier()
        optimizer = torch.optim.Adam(classifier.parameters(), lr=2e-3)
        loss_fn = nn.CrossEntropyLoss()
        classifier.train()
        for _ in range(epochs):
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(images), batch_size):
                index = order[start : start + batch_size]
                loss = loss_fn(classifier(images[index]), labels[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        classifier.eval()
        features, _ = features_and_probs(classifier, images)
    finally:
        torch.set_num_threads(threads)
    mean, cov = feature_statistics(features)
    return QualityModel(classifier, mean, cov, name)


def accuracy(model: QualityModel, images: torch.Tensor, labels: torch.Tensor) -> float:
    _, probs = features_and_probs(model.classifier, images)
    return float((torch.from_numpy(probs.argmax(axis=1)) == labels).double().mean())


def main(dataset: str = "mnist", epochs: int = 4, data_dir=None, out=None) -> QualityModel:
    """Train on the data set's split on disk (all but the last HOLDOUT images) and store the model at
    `out` (None: helpers/weights/<dataset>.npz, where `helpers.metrics` looks for it)."""
    data = load_dataset(dataset, data_dir=data_dir)  # downloads it where it is missing and the network allows
    if len(data) <= HOLDOUT:
        raise ValueError(f"{dataset}: {len(data):,} images on disk; training needs more than the {HOLDOUT:,} held out")
    images, labels = data.images[:-HOLDOUT], data.labels[:-HOLDOUT]
    model = train_quality_model(images, labels, dataset, epochs=epochs)
    path = save_quality_model(model, out)
    held_out = accuracy(model, data.images[-HOLDOUT:], data.labels[-HOLDOUT:])
    print(
        f"{dataset}: trained on {len(images):,} {data.split} images, accuracy on the last {HOLDOUT:,}: {held_out:.1%}; wrote {path}"
    )
    return model
