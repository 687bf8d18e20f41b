"""The sandboxed grader (course/engine/grader.py) on every assignment: the verdicts are reached
outside the sandbox, so what a notebook does inside cannot change them.

The adversarial submissions below each get the grade their real answers deserve, through the real
sandbox. That each solution gets full marks and each release nothing, through the same grader and
nbgrader, is tests/test_grading.py's (the demo course's sample_full and sample_untouched). The catalogue of
mistakes and alternatives is graded by the same grader in tests/test_mistakes.py."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conftest import ASSIGNMENTS, source_notebook
from course import nbtools
from course.authoring import patches
from course.engine import grader

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

HERE = Path(__file__).parent
ASSIGNMENT = "01_minimax"
SOURCE = HERE.parent / "notebooks" / ASSIGNMENT / "minimax.ipynb"
WRONG_GDA = patches.load(HERE / "mistakes" / ASSIGNMENT / "gda_signs_swapped.py")


@pytest.fixture(scope="module")
def nb():
    return source_notebook(ASSIGNMENT)


def submit(tmp_path, nb, cells=None, edit=None) -> Path:
    """The student's notebook: the release with the solutions typed in, `cells` replaced, then `edit`."""
    submission = nbtools.fill(nb, cells or {})
    if edit:
        edit(submission)
    path = tmp_path / "minimax.ipynb"
    nbtools.write(submission, path)
    return path


def lost(grading) -> dict[str, str]:
    return {v.grade_id: v.reason for v in grading.verdicts if v.points < v.max_points}


def with_wrong_gda(extra: str) -> dict[str, str]:
    """The wrong gda_step of the mistakes catalogue, followed by `extra` code in the same answer cell."""
    ((cell, source),) = WRONG_GDA.cells.items()
    return {cell: source + "\n" + extra}


def source_path(assignment: str) -> Path:
    return nbtools.notebooks(HERE.parent / "notebooks" / assignment)[0]


def submit_to(tmp_path, assignment: str, cells=None, edit=None) -> Path:
    nb = nbtools.fill(source_notebook(assignment), cells or {})
    if edit:
        edit(nb)
    path = tmp_path / source_path(assignment).name
    nbtools.write(nb, path)
    return path


def test_grading_runs_only_the_cells_that_can_change_a_verdict():
    """Notebook 6: not the Fashion-MNIST training and the self-check after the last test cell (they
    run after every check), nor the MNIST training and its samples (tagged "demo"); every other
    cell, in order."""
    source = source_notebook("06_dcgan")
    ran = [cell_id for cell_id, _ in grader.cells_to_run(source, source)]
    code = [
        nbtools.grade_id(cell) or cell.get("id")
        for cell in source.cells
        if cell.cell_type == "code" and not nbtools.is_test(cell)
    ]
    skipped = {"train", "samples", "fashion_train", "self_check"}
    assert skipped <= set(code) and code[-1] == "self_check"
    assert ran == [cell_id for cell_id in code if cell_id not in skipped]


# --- what a notebook does inside the sandbox cannot change its grade -------------------------


@pytest.mark.parametrize(
    "cheat",
    [
        # nbgrader's weak spot: an input transformer that empties the following (test) cells
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        # the checks' building blocks patched to accept anything
        "import helpers.checks as c\nc.expect = lambda *a, **k: None\nc.assert_close = lambda *a, **k: None",
        "import helpers.checks.minimax as m\nm.gda_step_matches = lambda *a, **k: None",
        # numpy and torch patched
        "import numpy as np, torch\nnp.allclose = lambda *a, **k: True\ntorch.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None",
        # a rigged object for the answer
        "class Anything:\n    def __eq__(self, other): return True\n    def __sub__(self, other): return 0.0\n"
        "_real = gda_step\ngda_step = lambda *a: Anything()",
    ],
    ids=["input-transformer", "patched-checks", "patched-check-module", "patched-numpy-torch", "always-equal"],
)
def test_cheats_inside_the_notebook_change_nothing(tmp_path, nb, cheat):
    grading = grader.grade(SOURCE, submit(tmp_path, nb, with_wrong_gda(cheat)))
    assert grading.status == "ok"
    assert "test_gda_step" in lost(grading) and grading.score <= 14 - 2


CHEATS_EVERYWHERE = (  # what a student could add to any notebook, all at once
    "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
    "import numpy as np, torch, helpers.checks as c\n"
    "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
    "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
    "c.expect = lambda *a, **k: None\nc.assert_close = lambda *a, **k: None\nc.assert_layers = lambda *a, **k: None\n"
)
GUT_THE_CHECKS = (  # every function of the notebook's checks module replaced by a no-op
    "for _name in dir(checks):\n"
    "    if callable(getattr(checks, _name)) and not _name.startswith('__'):\n"
    "        setattr(checks, _name, lambda *a, **k: None)\n"
)


def _samples():
    for assignment in ASSIGNMENTS:
        (path,) = sorted((HERE.parent / "samples" / assignment).glob("*.py"))
        yield pytest.param(assignment, path, id=assignment)


@pytest.mark.parametrize("assignment, path", list(_samples()))
def test_cheats_change_nothing_in_any_notebook(tmp_path, assignment, path):
    """The partly wrong sample of each notebook, with cheats added to one of its answer cells: it
    loses exactly the sample's points; with its checks module gutted, it loses at least those."""
    sample = patches.load(path)
    cell = next(iter(sample.cells))
    for cheat, exact in [(CHEATS_EVERYWHERE, True), (GUT_THE_CHECKS, False)]:
        cells = {**sample.cells, cell: sample.cells[cell] + "\n" + cheat}
        grading = grader.grade(source_path(assignment), submit_to(tmp_path, assignment, cells))
        assert grading.status == "ok", grading.reason
        assert (set(lost(grading)) == set(sample.fails)) if exact else (set(lost(grading)) >= set(sample.fails))


def test_forged_observations_are_judged_like_answers(tmp_path, nb):
    """Replacing the recorder itself only changes what the notebook's functions seem to return."""
    forge = (
        "import helpers.checks.replay as r\n"
        "r.call = lambda label, fn, *a, keep=False, **k: r.observe(label, (0.0, 0.0))"
    )
    grading = grader.grade(SOURCE, submit(tmp_path, nb, with_wrong_gda(forge)))
    assert grading.status == "ok"
    assert {"test_grad_f", "test_gda_step", "test_alternating_step", "test_flow"} <= set(lost(grading))


def test_edited_deleted_or_stripped_test_cells_change_nothing(tmp_path, nb):
    def vandalise(submission):
        for cell in submission.cells:
            if nbtools.is_test(cell) and nbtools.grade_id(cell) == "test_gda_step":
                cell.source = "pass"
                cell.metadata["nbgrader"]["points"] = 0
            elif nbtools.is_test(cell):
                cell.metadata = {}
        submission.cells = [c for c in submission.cells if nbtools.grade_id(c) != "test_flow"]

    grading = grader.grade(SOURCE, submit(tmp_path, nb, WRONG_GDA.cells, edit=vandalise))
    assert set(lost(grading)) == set(WRONG_GDA.fails)
    assert grading.max_score == 14


def test_an_answer_cell_without_its_metadata_is_not_found(tmp_path, nb):
    def strip(submission):
        for cell in submission.cells:
            if nbtools.grade_id(cell) == "saddle":
                cell.metadata = {}

    grading = grader.grade(SOURCE, submit(tmp_path, nb, edit=strip))  # the cell of grad_f and SADDLE_F
    assert {"test_grad_f", "test_saddle"} <= set(lost(grading)) and "test_gda_step" not in lost(grading)
    assert lost(grading)["test_grad_f"].startswith("not implemented yet")


def test_warnings_on_stderr_cost_nothing(tmp_path, nb):
    ((cell, source),) = WRONG_GDA.cells.items()
    solution = nbtools.solutions(nb)[cell]
    warn = "import warnings\nwarnings.warn('a library warning')\n"
    grading = grader.grade(SOURCE, submit(tmp_path, nb, {cell: warn + solution}))
    assert grading.status == "ok" and grading.score == 14
    assert "a library warning" in grading.outcome.stderr


def test_a_crash_fails_closed_with_its_reason(tmp_path, nb):
    grading = grader.grade(SOURCE, submit(tmp_path, nb, with_wrong_gda("import os\nos._exit(0)")))
    assert grading.status == "crashed" and grading.score == 0
    assert all("before it finished" in reason for reason in lost(grading).values())


def test_missing_and_invalid_notebooks_fail_closed(tmp_path):
    missing = grader.grade(SOURCE, tmp_path / "minimax.ipynb")
    assert missing.status == "invalid" and missing.score == 0 and missing.max_score == 14
    assert "no minimax.ipynb in the submission" in missing.reason
    (tmp_path / "minimax.ipynb").write_text("{not json")
    broken = grader.grade(SOURCE, tmp_path / "minimax.ipynb")
    assert broken.status == "invalid" and "not a valid notebook" in broken.reason
    assert all(v.reason == broken.reason for v in broken.verdicts)


def test_the_checks_of_a_test_cell_are_read_from_the_source(nb):
    tests = {t.grade_id: t for t in grader.tests_of(nb)}
    assert grader.checks_module(nb) == "helpers.checks.minimax"
    calls = tests["test_gda_step"].calls
    assert [(c.check, c.args, c.kwargs) for c in calls] == [
        ("gda_step_matches", ["gda_step"], {}),
        ("gda_step_matches", ["gda_step"], {"case": "hidden"}),
    ]
    assert sum(t.points for t in tests.values()) == 14


def test_replay_round_trips_plain_data_and_refuses_objects():
    import numpy as np
    import torch

    from helpers.checks import replay

    values = [
        None,
        True,
        3,
        2.5,
        float("nan"),
        "s",
        (1.0, [2, {"k": np.float32(1.5)}]),
        torch.arange(3.0),
        np.arange(4),
    ]
    back = [replay.from_data(replay.to_data(v)) for v in values]
    assert back[:4] == values[:4] and np.isnan(back[4]) and back[5] == "s"
    assert back[6] == (1.0, [2, {"k": np.float32(1.5)}]) and type(back[6]) is tuple
    assert torch.equal(back[7], values[7]) and np.array_equal(back[8], values[8])
    rigged = replay.from_data(replay.to_data(copy))  # a module object: not data
    with pytest.raises(AssertionError, match="cannot be checked outside the sandbox"):
        float(rigged)


def test_the_grade_command_prints_every_reason(tmp_path, nb, capsys):
    from course.__main__ import main

    path = submit(tmp_path, nb, WRONG_GDA.cells)
    assert main(["--root", str(HERE.parent), "grade", ASSIGNMENT, str(path)]) == 0
    out = capsys.readouterr().out
    assert "status: ok" in out and "score: 11 / 14" in out
    assert "test_gda_step (2): gda_step on the visible test games" in out
    assert main(["--root", str(HERE.parent), "grade", "99_unknown", str(path)]) == 1
    assert "no assignment ['99_unknown']" in capsys.readouterr().err


def test_keyword_arguments_that_are_not_literals_are_evaluated_in_the_sandbox():
    import nbformat

    cell = nbformat.v4.new_code_cell("checks.some_check(f, scale=2.0, data=make_data(3))")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    (test,) = grader.tests_of(nbformat.v4.new_notebook(cells=[cell]))
    (call,) = test.calls
    assert call.args == ["f", "make_data(3)"] and call.kwargs == {"scale": 2.0} and call.computed == ["data"]


# --- facts computed by course code in the sandbox are not trusted (issue 12, item 5) ----------
#
# Student code can replace any course function in the sandbox's process. Each submission below is
# a set of wrong answers plus code that patches the course's computations (helpers.games, the
# checks' helpers, the recorder) to report what a correct answer would give. The grader recomputes
# every derived fact outside, from the raw record, so the patch gains nothing.

FORGE_GAMES = (  # notebook 1: the simulations report a diverging path, the right boundary, a circle
    "import numpy as _np, helpers.games as _g, helpers.checks.minimax as _m\n"
    "_g.trajectory = lambda step, grad, start, lr, n_steps: _np.full((n_steps + 1, 2), 1e9)\n"
    "_g.largest_converging_lr = lambda *a, **k: 0.25\n"
    "def _circle(flow, grad, start, t_end, dt=1e-2):\n"
    "    t = _np.linspace(0.0, t_end, int(round(t_end / dt)) + 1)\n"
    "    return float(_np.hypot(*start)) * _np.stack([_np.cos(t), _np.sin(t)], 1)\n"
    "_g.integrate = _circle\n"
    "_m.games = _g\n"
)
FORGE_GAN_LOSSES = (  # notebook 4: the old composite observations report a correct answer's facts
    "import torch as _t, helpers.checks.gan_losses as _m\n"
    "_m._count_steps = lambda gan_step, k: {'D': k, 'G': 1}\n"
    "_m._watch_for_leaks = lambda gan_step, k: [False] * k\n"
    "_m._gradient = lambda loss, wrt: _t.full_like(wrt, -1.0 / wrt.shape[0])\n"
    "_m._optimizer_facts = lambda get_optimizer: {'type': 'Adam', 'is_adam': True, 'model_params': 4, 'params': 4,\n"
    "                                              'holds_model_params': True, 'lr': 1e-3, 'betas': (0.5, 0.999)}\n"
    # and the new probes, replaced by functions that report without running gan_step
    "_m.detach_probe = lambda gan_step, k: _t.zeros(1)\n"
    "_m.counting_probe = lambda gan_step, k: (_t.zeros(1), _t.zeros(1))\n"
    "_m.optimizer_trajectory = lambda get_optimizer, case: ({'type': 'torch.optim.adam.Adam', 'bases': "
    "['torch.optim.adam.Adam'], 'groups': [{'params': [0, 1, 2, 3], 'settings': {'lr': 1e-3, 'betas': (0.5, 0.999)}}]}, None)\n"
)

FORGE_WGAN = (  # notebook 7: the old composites report a correct clip and well-mixed points
    "import torch as _t, helpers.checks.wgan as _w\n"
    "def _facts(clip_weights, c, seed):\n"
    "    model = _w._clip_probe(seed)\n"
    "    before = [p.detach().clone() for p in model.parameters()]\n"
    "    return {'returned': 'None', 'same_objects': True, 'names': [n for n, _ in model.named_parameters()],\n"
    "            'before': before, 'after': [b.clamp(-c, c) for b in before]}\n"
    "_w._clip_facts = _facts\n"
    "def _spy(gradient_penalty, n, seed):\n"
    "    _t.manual_seed(seed)\n"
    "    x_real, x_fake, eps = _t.rand(n, 2) + 2.0, _t.rand(n, 2) - 3.0, _t.rand(n, 1)\n"
    "    return x_real, x_fake, eps * x_real + (1 - eps) * x_fake\n"
    "_w._spy_points = _spy\n"
    # and the new raw recorder, replaced to report the values clamped to the visible call's c
    "_w._values = lambda parameters: [p.detach().clamp(-0.01, 0.01) for p in parameters]\n"
)

FORGE_MODEL_QUESTIONS = (  # notebook 3: the old observed helpers report the specification's answers
    "import helpers.checks as _c\n"
    "_c.count_params = lambda model: 267_009\n"
    "_c._linear_shapes = lambda model: [(784, 256, True), (256, 256, True), (256, 1, True)]\n"
    # and the raw description of a model, replaced by the description of the specified networks
    "import torch.nn as _nn\n"
    "_describe = _c.describe_model\n"
    "def _specified(model):\n"
    "    n = next(m for m in model.modules() if isinstance(m, _nn.Linear)).in_features\n"
    "    if n == 784:\n"
    "        return _describe(_nn.Sequential(_nn.Linear(784, 256), _nn.LeakyReLU(0.01), _nn.Linear(256, 256),\n"
    "                                        _nn.LeakyReLU(0.01), _nn.Linear(256, 1)))\n"
    "    return _describe(_nn.Sequential(_nn.Linear(n, 1024), _nn.ReLU(), _nn.Linear(1024, 1024), _nn.ReLU(),\n"
    "                                    _nn.Linear(1024, 784), _nn.Tanh()))\n"
    "_c.describe_model = _specified\n"
)
FORGE_DROPOUT = (  # notebook 6: the description of a discriminator without dropout gains two Dropout(0.3)
    "import torch.nn as _nn, helpers.checks as _c\n"
    "_describe = _c.describe_model\n"
    "def _with_dropout(model):\n"
    "    description = _describe(model)\n"
    "    if any('Conv2d' in entry['class'] for entry in description['modules']):\n"
    "        description['modules'] += _describe(_nn.Sequential(_nn.Dropout(0.3), _nn.Dropout(0.3)))['modules'][1:]\n"
    "    return description\n"
    "_c.describe_model = _with_dropout\n"
)


def _mistakes_of(assignment: str, *names: str) -> tuple[dict[str, str], set[str]]:
    cells, fails = {}, set()
    for name in names:
        patch = patches.load(HERE / "mistakes" / assignment / f"{name}.py")
        cells.update(patch.cells)
        fails |= patch.fails
    return cells, fails


@pytest.mark.parametrize(
    "assignment, mistakes, forge, last_cell",
    [
        ("01_minimax", ("gda_signs_swapped", "gd_step_is_gda", "grad_xy_swapped"), FORGE_GAMES, "xy"),
        ("04_gan_losses", ("g_loss_saturating", "optimizer_sgd", "step_ignores_k"), FORGE_GAN_LOSSES, "gan_step"),
        ("04_gan_losses", ("step_no_detach",), FORGE_GAN_LOSSES, "gan_step"),
        ("07_wgan", ("clip_weights_only", "gp_epsilon_normal"), FORGE_WGAN, "gp"),
        ("03_noise_networks", ("d_no_bias", "g_no_bias"), FORGE_MODEL_QUESTIONS, "discriminator"),
        ("06_dcgan", ("fashion_d_no_dropout",), FORGE_DROPOUT, "fashion_networks"),
    ],
    ids=[
        "minimax-games",
        "gan_losses-counts-optimizer-gradient",
        "gan_losses-leaks",
        "wgan-clip-spy",
        "model-questions",
        "dcgan-dropout",
    ],
)
def test_patched_course_computations_gain_nothing(tmp_path, assignment, mistakes, forge, last_cell):
    cells, fails = _mistakes_of(assignment, *mistakes)
    honest = grader.grade(source_path(assignment), submit_to(tmp_path, assignment, cells))
    assert honest.status == "ok" and set(lost(honest)) == fails
    cells[last_cell] = cells[last_cell] + "\n" + forge
    forged = grader.grade(source_path(assignment), submit_to(tmp_path, assignment, cells))
    assert forged.status == "ok", forged.reason
    assert set(lost(forged)) >= fails and forged.score <= honest.score


def test_replay_judges_from_the_record_alone_and_fails_closed():
    """A simulation on observed student calls is redone on replay; a record with other arguments,
    a missing entry or a malformed one fails closed; a hidden case's message has no expected value."""
    from helpers.checks import minimax, replay

    def gd_step(grad, x, y, lr):
        df_dx, df_dy = grad(x, y)
        return x - lr * df_dx, y - lr * df_dy

    with replay.record() as log:
        minimax.gd_diverges(gd_step, lr=0.01, n_steps=50)
    calls = [entry for entry in log if entry["label"].startswith("gd_step")]
    assert len(calls) == 50 and all("args" in entry and "value" in entry for entry in calls)
    with replay.replay(log), pytest.raises(AssertionError, match="run away"):  # 50 steps: not far enough
        minimax.gd_diverges(replay.FUNCTION, lr=0.01, n_steps=50)
    tampered = [dict(entry) for entry in log]
    tampered[7]["args"] = "0" * 24  # a step reported for other inputs than the simulation reaches
    with replay.replay(tampered), pytest.raises(replay.IncompleteLog, match="other arguments"):
        minimax.gd_diverges(replay.FUNCTION, lr=0.01, n_steps=50)
    with replay.replay(log[:-5]), pytest.raises(replay.IncompleteLog, match="did not report"):
        minimax.gd_diverges(replay.FUNCTION, lr=0.01, n_steps=50)
    tampered = [dict(entry) for entry in log]
    tampered[3]["value"] = {"no such tag": 1}
    with replay.replay(tampered), pytest.raises(replay.IncompleteLog, match="unknown kind"):
        minimax.gd_diverges(replay.FUNCTION, lr=0.01, n_steps=50)
    assert not replay.judging_hidden()
    with replay.replay([], hidden=True):
        assert replay.judging_hidden()
        with pytest.raises(AssertionError) as failure:
            checks_assert_close("loss", 0.5, 0.25)
    assert "0.25" not in str(failure.value) and "hidden case" in str(failure.value)


def checks_assert_close(*args, **kwargs):
    from helpers.checks import assert_close

    return assert_close(*args, **kwargs)
