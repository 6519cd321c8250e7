"""Checkers for the exercises at the end of each notebook.

A checker never answers just True or False: it returns a ``Feedback`` that says what was tested,
and when something is wrong, the first input that fails, the value expected and the value received,
and a hint aimed at the usual mistake.

>>> import numpy as np
>>> from actlib import exercises
>>> exercises.check_activation(lambda x: np.maximum(0, x), "relu").passed
True
>>> print(exercises.check_value(0.3, 0.25, name="max of sigmoid'", rtol=1e-3))
✗ max of sigmoid': expected 0.25, got 0.3.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ._validation import check_real
from .registry import get

__all__ = ["Feedback", "battery", "check_activation", "check_array", "check_choice", "check_derivative", "check_value"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` plus a message written for the student."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __str__(self):
        return ("✓ " if self.passed else "✗ ") + self.message

    def __repr__(self):
        return f"Feedback(passed={self.passed}, message={self.message!r})"

    def _repr_markdown_(self):
        colour = "#1b7f3b" if self.passed else "#b35900"
        mark = "✓" if self.passed else "✗"
        return f'<span style="color:{colour}; font-weight:bold">{mark}</span> {self.message}'


def _ok(message):
    return Feedback(True, message)


def _no(message):
    return Feedback(False, message)


def battery(kinks=(), *, wide=False) -> np.ndarray:
    """The inputs checkers use: a grid over [-6, 6], some random points, away from any kink.

    With ``wide``, also large magnitudes (±30, ±100, ±1000), to test numerical stability.
    """
    rng = np.random.default_rng(1234)
    x = np.concatenate([np.linspace(-6, 6, 49), rng.normal(0, 2.5, 32), [-1e-3, 1e-3]])
    if wide:
        x = np.concatenate([x, [-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0]])
    for k in kinks:
        x = x[np.abs(x - k) > 1e-6]
    return np.sort(x)


def _call(student, x, what):
    """Call the student's function; return (values, problem message or None)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            out = student(x.copy())
    except RuntimeWarning as w:
        return None, f"your {what} raised a RuntimeWarning ({w}) on inputs such as {x[[0, -1]]}: use a numerically stable formula"
    except Exception as exc:  # the student's code may raise anything
        return None, f"calling your {what} on a NumPy array raised {type(exc).__name__}: {exc}. It should accept an array and work element by element"
    try:
        out = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return None, f"your {what} returned {type(out).__name__}, not an array of numbers"
    if out.shape != x.shape:
        return None, f"your {what} returned shape {out.shape} for an input of shape {x.shape}: it should work element by element"
    return out, None


def _compare(got, want, x, rtol, atol, what, name, extra_hints=()):
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    msg = f"at x = {x[i]:.4g} your {what} gives {got[i]:.6g}, expected {want[i]:.6g} ({int(bad.sum())} of {x.size} test points differ)"
    for condition, hint in extra_hints:
        if condition:
            msg += f". Hint: {hint}"
            break
    return msg


def check_activation(student_fn, name, *, wide=False, rtol=1e-6, atol=1e-9, **params) -> Feedback:
    """Check a student's forward function against the registry's ``name`` (with ``params``).

    ``wide=True`` also tests large inputs (±1000) and requires no RuntimeWarning: use it for the
    "make it numerically stable" exercises.
    """
    act = get(name, **params)
    if not callable(student_fn):
        return _no(f"expected a function of x; got {student_fn!r}")
    x = battery(act.kinks, wide=wide)
    got, problem = _call(student_fn, x, "function")
    if problem:
        return _no(problem)
    want = act(x)
    if np.isnan(got).any() and not np.isnan(want).any():
        i = int(np.argmax(np.isnan(got)))
        return _no(f"your function returns NaN at x = {x[i]:.4g}; {act.label}({x[i]:.4g}) = {want[i]:.6g}. Look for inf − inf or 0 · inf in the formula")
    hints = [
        (np.allclose(got, -want, rtol=rtol, atol=atol), "your values have the wrong sign everywhere"),
        (np.allclose(got, act.grad(x), rtol=rtol, atol=atol), "this is the derivative, not the function"),
        (np.allclose(got[x > 0], want[x > 0], rtol=rtol, atol=atol), "positive inputs are right; look at the branch for x ≤ 0"),
        (np.allclose(got[x < 0], want[x < 0], rtol=rtol, atol=atol), "negative inputs are right; look at the branch for x > 0"),
    ]
    problem = _compare(got, want, x, rtol, atol, "function", act.label, hints)
    if problem:
        return _no(problem)
    where = "including |x| up to 1000 without warnings" if wide else "on [−6, 6]"
    return _ok(f"your function matches {act.label} at all {x.size} test points, {where}.")


def check_derivative(student_grad, name, *, rtol=1e-6, atol=1e-9, **params) -> Feedback:
    """Check a student's derivative against the registry's (away from kinks)."""
    act = get(name, **params)
    if not act.elementwise:
        raise ValueError(f"check_derivative: {name} is a vector function; check its Jacobian with check_array.")
    if not callable(student_grad):
        return _no(f"expected a function of x; got {student_grad!r}")
    x = battery(act.kinks)
    got, problem = _call(student_grad, x, "derivative")
    if problem:
        return _no(problem)
    want = act.grad(x)
    ratio = np.divide(got, want, out=np.full_like(got, np.nan), where=np.abs(want) > 1e-6)
    finite = ratio[np.isfinite(ratio)]
    constant_ratio = finite.size > 3 and np.allclose(finite, finite[0], rtol=1e-6) and not np.isclose(finite[0], 1.0) and finite[0] != 0
    hints = [
        (np.allclose(got, 0.0), "your derivative is 0 everywhere: is the function still a placeholder?"),
        (np.allclose(got, act(x), rtol=rtol, atol=atol), "this is the function itself, not its derivative"),
        (np.allclose(got, -want, rtol=rtol, atol=atol), "the sign is flipped everywhere"),
        (constant_ratio, f"your derivative is {finite[0]:.4g} times the right one everywhere: a constant factor (chain rule?) is off" if finite.size else ""),
        (np.allclose(got[x > 0], want[x > 0], rtol=rtol, atol=atol), "positive inputs are right; look at the branch for x < 0"),
        (np.allclose(got[x < 0], want[x < 0], rtol=rtol, atol=atol), "negative inputs are right; look at the branch for x > 0"),
    ]
    problem = _compare(got, want, x, rtol, atol, "derivative", act.label, hints)
    if problem:
        return _no(problem)
    kinks = f" (the kink at x = {', '.join(f'{k:g}' for k in act.kinks)} was left out)" if act.kinks else ""
    return _ok(f"your derivative matches {act.label}′ at all {x.size} test points{kinks}.")


def check_value(answer, expected, *, name="your answer", rtol=1e-6, atol=0.0, hint="") -> Feedback:
    """Check a number. ``hint`` is added when the answer is wrong."""
    try:
        value = check_real("check_value", name, answer)
    except (TypeError, ValueError) as exc:
        return _no(f"{name}: expected a finite number; got {answer!r} ({exc})")
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        return _ok(f"{name} = {value:.6g}, correct.")
    msg = f"{name}: expected {expected:.6g}, got {value:.6g}."
    if hint:
        msg += f" Hint: {hint}"
    return _no(msg)


def check_array(answer, expected, *, name="your array", rtol=1e-6, atol=1e-9, hint="") -> Feedback:
    """Check an array: shape first, then values (reports the first entry that differs)."""
    expected = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return _no(f"{name}: expected an array of numbers; got {type(answer).__name__}")
    if got.shape != expected.shape:
        return _no(f"{name}: expected shape {expected.shape}, got {got.shape}." + (f" Hint: {hint}" if hint else ""))
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        msg = f"{name}: entry {idx} is {got[idx]:.6g}, expected {expected[idx]:.6g} ({int(bad.sum())} of {bad.size} entries differ)."
        return _no(msg + (f" Hint: {hint}" if hint else ""))
    return _ok(f"{name}: all {expected.size} entries correct.")


def check_choice(answer, correct, explanations: dict | None = None, *, name="your choice") -> Feedback:
    """Check a multiple-choice answer; ``explanations`` maps each option to why it is right or wrong."""
    explanations = explanations or {}
    options = set(explanations) | {correct}
    key = answer.strip().lower() if isinstance(answer, str) else answer
    normalised = {(o.lower() if isinstance(o, str) else o): o for o in options}
    if key not in normalised:
        return _no(f"{name}: {answer!r} is not one of the options {sorted(map(str, options))}.")
    option = normalised[key]
    why = explanations.get(option, "")
    if option == correct:
        return _ok(f"{name}: {option!r} is right." + (f" {why}" if why else ""))
    return _no(f"{name}: {option!r} is not right." + (f" {why}" if why else ""))
