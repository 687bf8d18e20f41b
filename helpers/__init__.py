"""helpers: the small library every notebook of the GAN course imports.

It holds the mechanics a student should not have to rewrite in every notebook:
data loading, seeding, device selection, plotting, parameter counting and the
checks that grade the exercises. It never holds the solution to an exercise.

Importing it has no side effects: nothing is downloaded, seeded or plotted
until you call a function.
"""

import importlib

# Each name, the module that defines it. Imported when first used (PEP 562), so that importing a
# part that needs no torch (helpers.markers, helpers.selfcheck, helpers.games) does not load torch.
_HOME = {
    "load_answers": "answers",
    **dict.fromkeys(["DataNotFoundError", "ImageData", "load_dataset", "load_fashion_mnist", "load_mnist"], "data"),
    **dict.fromkeys(
        ["image_grid", "loss_figure", "plot_losses", "show_images", "show_training", "training_figure"], "plotting"
    ),
    **dict.fromkeys(["History", "train_gan"], "training"),
    **dict.fromkeys(["count_params", "get_device", "rel_error", "set_seed", "smoke_mode"], "utils"),
}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"helpers.{_HOME[name]}"), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__version__ = "0.1.0"


def self_check(path=None) -> str:
    """Run this notebook's check cells again and print the visible points of each and the total
    (helpers.selfcheck; imported when called, so that `python -m helpers.selfcheck` finds it fresh)."""
    from helpers.selfcheck import self_check as run

    return run(path)


__all__ = sorted([*_HOME, "self_check"])
