"""Each checker accepts the reference solution and rejects the typical wrong answers, saying why."""

import numpy as np
import pytest

import actlib
from actlib import exercises


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("name", [n for n in actlib.names() if actlib.get(n).elementwise])
def test_registry_functions_pass_their_own_checks(name):
    act = actlib.get(name)
    assert exercises.check_activation(act, name, wide=True).passed
    assert exercises.check_derivative(act.grad, name).passed


def test_check_activation_accepts_and_explains():
    fb = exercises.check_activation(naive_sigmoid, "sigmoid")
    assert fb.passed and "matches sigmoid" in fb.message and str(fb).startswith("✓")


def test_naive_sigmoid_fails_the_stability_check_with_the_reason():
    fb = exercises.check_activation(naive_sigmoid, "sigmoid", wide=True)
    assert not fb.passed and "RuntimeWarning" in fb.message and "stable" in fb.message
    assert exercises.check_activation(stable_sigmoid, "sigmoid", wide=True).passed


@pytest.mark.parametrize(
    ("wrong", "name", "params", "expected_words"),
    [
        (lambda x: np.where(x > 0, x, 0.1 * np.expm1(x)), "elu", {}, "branch for x ≤ 0"),
        (lambda x: np.where(x > 0, 2 * x, np.expm1(x)), "elu", {}, "branch for x > 0"),
        (lambda x: -np.tanh(x), "tanh", {}, "wrong sign"),
        (lambda x: 1 - np.tanh(x) ** 2, "tanh", {}, "derivative, not the function"),
        (lambda x: float(np.tanh(x[0])), "tanh", {}, "shape"),
        (lambda x: np.where(x > 0, x, 0.01 * x), "leaky_relu", {"alpha": 0.2}, "x ≤ 0"),
    ],
)
def test_check_activation_rejects_typical_mistakes(wrong, name, params, expected_words):
    fb = exercises.check_activation(wrong, name, **params)
    assert not fb.passed
    assert expected_words in fb.message, fb.message
    assert "expected" in fb.message or "shape" in fb.message


@pytest.mark.parametrize(
    ("wrong", "name", "expected_words"),
    [
        (lambda x: np.where(x > 0, 1.0, np.exp(x) - 1), "elu", "branch for x < 0"),
        (lambda x: np.tanh(x), "tanh", "function itself"),
        (lambda x: 2 * naive_sigmoid(x) * (1 - naive_sigmoid(x)), "sigmoid", "2 times"),
        (lambda x: -(1 - np.tanh(x) ** 2), "tanh", "sign"),
        (lambda x: np.zeros_like(x), "sigmoid", "0 everywhere"),
    ],
)
def test_check_derivative_rejects_typical_mistakes(wrong, name, expected_words):
    fb = exercises.check_derivative(wrong, name)
    assert not fb.passed and expected_words in fb.message, fb.message


def test_check_derivative_accepts_a_correct_elu_derivative_and_mentions_the_kink():
    fb = exercises.check_derivative(lambda x: np.where(x > 0, 1.0, 0.5 * np.exp(x)), "elu", alpha=0.5)
    assert fb.passed and "kink" in fb.message


def test_student_code_that_raises_is_reported_not_propagated():
    def broken(x):
        return x.nonexistent

    fb = exercises.check_activation(broken, "relu")
    assert not fb.passed and "AttributeError" in fb.message


def test_check_value_and_array_and_choice():
    assert exercises.check_value(0.25, 0.25).passed
    fb = exercises.check_value(0.5, 0.25, name="max slope", hint="σ'(0) = σ(0)(1 − σ(0))")
    assert not fb.passed and "expected 0.25, got 0.5" in fb.message and "Hint" in fb.message
    assert not exercises.check_value("a lot", 0.25).passed
    assert exercises.check_array([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]])).passed
    fb = exercises.check_array([[1, 2], [3, 5]], [[1, 2], [3, 4]])
    assert not fb.passed and "(1, 1)" in fb.message
    assert "shape" in exercises.check_array([1, 2, 3], [[1, 2, 3]]).message
    expl = {"relu": "it is not bounded", "tanh": "(−1, 1), centred on zero"}
    assert exercises.check_choice("TANH", "tanh", expl).passed
    fb = exercises.check_choice("relu", "tanh", expl)
    assert not fb.passed and "not bounded" in fb.message
    assert "not one of the options" in exercises.check_choice("gelu", "tanh", expl).message


def test_feedback_displays_in_a_notebook():
    fb = exercises.check_value(1.0, 1.0)
    assert "✓" in fb._repr_markdown_() and bool(fb) is True
