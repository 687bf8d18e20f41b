"""Checks for notebook 1, "Minimax games": gradients, update rules, step sizes and the flow.

The two games of the notebook are f(x, y) = 4x^2 - 4y^2 and g(x, y) = xy (x minimises, y
maximises). The update rules are also checked on other quadratic games q(x, y) = a x^2 + b xy + c y^2,
whose x and y are coupled, so that an update that is only right for one game does not pass.
Stored answers (answers/minimax.npz) hold the reference cases and the numbers found by simulation.

The simulations (a trajectory, the convergence boundary, the integrated flow) run the student's
step or flow on the course's own gradients of f and g (`F_GRADIENT`, `G_GRADIENT`), so that a wrong
grad_f or grad_xy costs only the check written for it. They call it through `observed`: in the
grading sandbox every call is recorded, and outside the whole simulation runs again on the
replayed outputs, so what it finds is computed by the grader.
"""

from __future__ import annotations

import math

import numpy as np

from helpers import games
from helpers.answers import load_answers
from helpers.checks import (
    answered,
    as_number,
    assert_close,
    every_problem,
    expect,
    graded,
    observed,
    replay,
    run_student,
    simulate,
)

NAME = "minimax"
ASSIGNMENT = "01_minimax"
TOL = 1e-5


def f(x, y):
    """The first game: f(x, y) = 4x^2 - 4y^2."""
    return 4 * x**2 - 4 * y**2


def g(x, y):
    """The second game: g(x, y) = xy."""
    return x * y


# Quadratic test games a x^2 + b xy + c y^2 with coupled coordinates; "hidden" ones only at grading.
GAMES = {"visible": [(1.0, 2.0, -1.5), (0.0, 1.0, 0.0)], "hidden": [(-0.5, 3.0, 2.0), (2.0, -1.0, -0.25)]}
POINTS = {"visible": [(1.0, 1.0), (-0.5, 2.0)], "hidden": [(0.3, -1.7), (-2.0, -0.25), (4.0, 0.5)]}
LRS = {"visible": [0.1, 1.0], "hidden": [0.05, 0.37]}
# Bisection steps for the simulated boundary: its resolution is 2 / 2**12 = 5e-4, half the hidden
# tolerance (1e-3); each step runs gda_step at most 50 times (see games.largest_converging_lr).
SIMULATION_ITERS = 12
# The time step of the integrated flow: Runge-Kutta 4 keeps the radius of xy's circle to 1e-7 over
# t = 10 at dt = 0.05 (the check allows 1e-6), in 800 calls of flow instead of 4000 at 0.01.
FLOW_DT = 0.05


def quadratic_grad(a: float, b: float, c: float):
    """The gradient (df/dx, df/dy) of the test game a x^2 + b xy + c y^2."""

    def grad(x, y):
        return 2 * a * x + b * y, b * x + 2 * c * y

    return grad


# The two games as test games: what the simulations run the student's update rules on.
F_GRADIENT = quadratic_grad(4.0, 0.0, -4.0)  # f = 4x^2 - 4y^2
G_GRADIENT = quadratic_grad(0.0, 1.0, 0.0)  # g = xy


def pair(label: str, value) -> tuple[float, float]:
    """`value` as two finite floats, or an AssertionError saying what came back instead."""
    try:
        x, y = value
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        raise AssertionError(f"{label} must return a pair of numbers (x, y), got {value!r}") from None
    expect(math.isfinite(x) and math.isfinite(y), f"{label} returned ({x}, {y}): not finite")
    return x, y


def _call_pair(label: str, fn, *args):
    return pair(label, run_student(label, fn, *args))


def _finite_difference(fn, x: float, y: float, h: float = 1e-5) -> tuple[float, float]:
    return (fn(x + h, y) - fn(x - h, y)) / (2 * h), (fn(x, y + h) - fn(x, y - h)) / (2 * h)


def _gradients(name: str, grad, points) -> dict:
    """(x, y) -> what grad(x, y) returned, for every point: the calls a gradient check makes."""
    return {(x, y): run_student(f"{name}({x}, {y})", grad, x, y) for x, y in points}


def _judge_gradients(name: str, returned: dict, fn, hint: str) -> None:
    """Each returned gradient against central differences of the game `fn`."""
    for (x, y), got in returned.items():
        label = f"{name}({x}, {y})"
        assert_close(label, pair(label, got), _finite_difference(fn, x, y), tol=1e-6, hint=hint)


def _assert_gradient(name: str, grad, fn, points) -> None:
    _judge_gradients(name, _gradients(name, grad, points), fn, hint="expected (df/dx, df/dy)")


def _step_outputs(step, name: str, case: str) -> np.ndarray:
    """step(grad, x, y, lr) for every test game, point and lr of `case`: shape (games*points*lrs, 2)."""
    rows = []
    for a, b, c in GAMES[case]:
        grad = quadratic_grad(a, b, c)
        for x, y in POINTS[case]:
            for lr in LRS[case]:
                rows.append(
                    _call_pair(f"{name}(grad, {x}, {y}, lr={lr}) on {a}x² + {b}xy + {c}y²", step, grad, x, y, lr)
                )
    return np.array(rows, dtype=np.float32)


def _assert_step(step, name: str, case: str, hint: str) -> None:
    assert_close(
        f"{name} on the {case} test games",
        _step_outputs(step, name, case),
        load_answers(NAME)[f"{name}_{case}"],
        tol=TOL,
        hint=hint,
    )


# ---------------------------------------------------------------------------------------------
# game 1: f(x, y) = 4x^2 - 4y^2


@graded
def grad_f_matches(grad_f, points=((1.0, 1.0), (-0.5, 2.0))):
    """grad_f(x, y) returns the gradient (df/dx, df/dy) of f(x, y) = 4x^2 - 4y^2."""
    _assert_gradient("grad_f", grad_f, f, points)


@graded
def saddle_point(saddle):
    """The saddle point of f is where both partial derivatives vanish."""
    x, y = pair("SADDLE_F", answered("SADDLE_F", saddle))
    assert_close("SADDLE_F", (x, y), load_answers(NAME)["saddle_f"], tol=TOL, hint="solve df/dx = 0 and df/dy = 0")


@graded
def gda_step_matches(gda_step, case="visible"):
    """gda_step moves x down and y up its gradient, both from the same (old) point."""
    _assert_step(
        gda_step,
        "gda_step",
        case,
        "x_new = x - lr * df/dx(x, y) and y_new = y + lr * df/dy(x, y), both at the old (x, y)",
    )


@graded
def gd_step_matches(gd_step, case="visible"):
    """gd_step moves both x and y down their gradient (plain gradient descent)."""
    _assert_step(
        gd_step, "gd_step", case, "both coordinates go against their gradient: x - lr * df/dx and y - lr * df/dy"
    )


@graded
def gd_diverges(gd_step, lr=0.01, n_steps=500):
    """Plain gradient descent on both variables of f moves away from the saddle point."""
    step = observed(f"gd_step(grad of f, x, y, lr={lr})", gd_step)
    path = simulate(
        "gd_step on f from (1, 1)", games.trajectory, step, F_GRADIENT, (1.0, 1.0), lr, n_steps
    )  # (n_steps + 1, 2)
    distance = float(np.linalg.norm(path[-1]))
    expect(
        not math.isfinite(distance) or distance > 1e3,
        f"gradient descent on both variables of f from (1, 1) with lr={lr} should run away from the saddle; "
        f"after {n_steps} steps it is at distance {distance:.3g} from it",
    )


@graded
def lr_range(lr_range_value):
    """LR_RANGE is the open interval of step sizes for which gda_step on f converges."""
    low, high = pair("LR_RANGE", answered("LR_RANGE", lr_range_value))
    assert_close(
        "LR_RANGE (low, high)",
        (low, high),
        load_answers(NAME)["lr_range"],
        tol=TOL,
        hint="one step multiplies x and y by the same factor; for which lr is its absolute value below 1?",
    )


@graded
def gda_converges_up_to_the_bound(gda_step, tol=2e-3):
    """Simulating your gda_step on f (bisection on lr) finds the analytic bound on the step size."""
    step = observed("gda_step(grad of f, x, y, lr)", gda_step)
    simulated = simulate(
        "simulating gda_step on f", games.largest_converging_lr, step, F_GRADIENT, iters=SIMULATION_ITERS
    )
    high = float(load_answers(NAME)["lr_range"][1])
    bound = "the analytic bound" if replay.judging_hidden() else f"the analytic bound lr < {high:.4f}"
    expect(
        abs(simulated - high) <= tol,
        f"simulation says your gda_step on f converges up to lr ≈ {simulated:.4f}, but {bound} says otherwise "
        f"(tolerance {tol:g}): the update rule is off, see test_gda_step",
    )


# ---------------------------------------------------------------------------------------------
# game 2: g(x, y) = xy


@graded
def game_xy(grad_xy, minmax_value, points=((1.0, 1.0), (-0.5, 2.0))):
    """grad_xy(x, y) is the gradient of xy, and XY_MINMAX_VALUE is the game's min-max value."""
    returned = _gradients("grad_xy", grad_xy, points)  # every call first (see every_problem)
    value = answered("XY_MINMAX_VALUE", minmax_value)

    def gradient_part():
        _judge_gradients("grad_xy", returned, g, hint="expected (dg/dx, dg/dy)")

    def value_part():
        assert_close(
            "XY_MINMAX_VALUE",
            as_number("XY_MINMAX_VALUE", value),
            float(load_answers(NAME)["xy_minmax_value"]),
            tol=TOL,
            hint="the value of xy at its saddle point",
        )

    every_problem(gradient_part, value_part)


@graded
def alternating_step_matches(alternating_step, case="visible"):
    """alternating_step moves y up first, then x down using the new y."""
    _assert_step(
        alternating_step,
        "alternating_step",
        case,
        "first y_new = y + lr * df/dy(x, y), then x_new = x - lr * df/dx(x, y_new)",
    )


@graded
def alternating_table(returns_after, reaches_optimum):
    """RETURNS_AFTER and REACHES_OPTIMUM agree with the simulated table (lr 1 from (1, 1))."""
    answers = load_answers(NAME)
    answered("RETURNS_AFTER", returns_after)
    answered("REACHES_OPTIMUM", reaches_optimum)
    problems = []  # both answers are judged, and every problem found is named
    if not (
        isinstance(returns_after, (int, float, np.integer, np.floating))
        and not isinstance(returns_after, bool)
        and math.isfinite(returns_after)
        and float(returns_after).is_integer()
    ):
        problems.append(f"RETURNS_AFTER must be a whole number of steps, got {returns_after!r}")
    elif int(returns_after) != int(answers["returns_after"]):
        problems.append(
            f"RETURNS_AFTER = {returns_after}: that is not the first step at which the table is back at "
            "(1, 1); read it off your table"
        )
    if not isinstance(reaches_optimum, (bool, np.bool_)):
        problems.append(f"REACHES_OPTIMUM must be True or False, got {reaches_optimum!r}")
    elif bool(reaches_optimum) != bool(answers["reaches_optimum"]):
        problems.append(f"REACHES_OPTIMUM = {reaches_optimum}: does a path that repeats itself ever get to (0, 0)?")
    expect(not problems, "; and ".join(problems))


@graded
def flow_matches(flow, case="visible"):
    """flow(grad, x, y) is the continuous-time dynamics: (dx/dt, dy/dt) = (-df/dx, +df/dy)."""
    answers = load_answers(NAME)
    rows = []
    for a, b, c in GAMES[case]:
        for x, y in POINTS[case]:
            rows.append(_call_pair(f"flow(grad, {x}, {y})", flow, quadratic_grad(a, b, c), x, y))
    assert_close(
        f"flow on the {case} test games",
        np.array(rows, dtype=np.float32),
        answers[f"flow_{case}"],
        tol=TOL,
        hint="x flows down its gradient, y up its gradient",
    )


@graded
def flow_keeps_radius(flow, start=(1.0, 1.0), t_end=2 * math.pi):
    """Integrating your flow on xy keeps x^2 + y^2 constant: the path is a circle."""
    path = simulate(
        "integrating flow on xy",
        games.integrate,
        observed("flow(grad of xy, x, y)", flow),
        G_GRADIENT,
        start,
        t_end,
        dt=FLOW_DT,
    )  # (n + 1, 2)
    radius = np.hypot(path[:, 0], path[:, 1])
    spread = float(radius.max() - radius.min())
    expect(spread < 1e-6, f"along the flow of xy the radius should stay {radius[0]:.4f}, but it varies by {spread:.3g}")


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(grad_f, grad_xy, gda_step, gd_step, alternating_step, flow, SADDLE_F, LR_RANGE, XY_MINMAX_VALUE):
    """The stored answers: the solution's outputs on the test cases, and what simulation finds.

    The simulated numbers (the convergence boundary of gda_step on f; when the alternating table
    returns to its start, and whether it reaches the optimum) come from running the solution's
    update rules, never from a typed value; the tests compare them with the analytic answers.
    """
    answers: dict[str, object] = {
        "saddle_f": np.array(SADDLE_F, dtype=np.float32),
        "lr_range": np.array(LR_RANGE, dtype=np.float32),
        "xy_minmax_value": np.float32(XY_MINMAX_VALUE),
        "lr_boundary_simulated": np.float32(games.largest_converging_lr(gda_step, grad_f)),
    }
    for case in GAMES:
        answers[f"gda_step_{case}"] = _step_outputs(gda_step, "gda_step", case)
        answers[f"gd_step_{case}"] = _step_outputs(gd_step, "gd_step", case)
        answers[f"alternating_step_{case}"] = _step_outputs(alternating_step, "alternating_step", case)
        answers[f"flow_{case}"] = np.array(
            [pair("flow", flow(quadratic_grad(*abc), x, y)) for abc in GAMES[case] for x, y in POINTS[case]],
            dtype=np.float32,
        )
    table = alternating_table_path(alternating_step, grad_xy, n_steps=600)
    answers["alternating_table"] = table[:7].astype(np.float32)
    back = [t for t in range(1, len(table)) if np.allclose(table[t], table[0])]
    answers["returns_after"] = np.int64(back[0] if back else -1)
    answers["reaches_optimum"] = np.bool_(np.hypot(table[:, 0], table[:, 1]).min() < 1e-6)
    return answers


def alternating_table_path(alternating_step, grad_xy, n_steps: int = 6) -> np.ndarray:
    """The table of the notebook: alternating updates on xy with lr 1 from (1, 1); shape (n_steps + 1, 2)."""
    return games.trajectory(alternating_step, grad_xy, (1.0, 1.0), 1.0, n_steps)
