"""Extreme inputs (warnings as errors), ±inf, NaN, dtype and shape rules."""

from __future__ import annotations

import numpy as np
import pytest
from _actlib_cases import (
    ELEMENTWISE,
    FLOATS,
    check_dtypes,
    check_extremes,
    check_infinities,
    check_nan,
    check_shapes,
    each,
    extreme_grid,
    no_warnings,
)

import actlib
from actlib import activations as A


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
@each(ELEMENTWISE)
def test_no_warning_and_no_nan_for_any_finite_input(act, dtype):
    """0, ±1e−30, subnormals, ±1, ±1e4, ±1e30, ±finfo.max: no RuntimeWarning, no NaN, dtype kept."""
    check_extremes(act, dtype)


def test_extreme_grid_contains_what_the_issue_lists():
    for dtype in (np.float32, np.float64):
        g = extreme_grid(dtype)
        fi = np.finfo(dtype)
        for v in (0.0, 1.0, 1e4, 1e30, fi.max, fi.smallest_subnormal, 1e-30):
            assert dtype(v) in g and dtype(-v) in g


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
@each(ELEMENTWISE)
def test_infinities_give_the_limits(act, dtype):
    check_infinities(act, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
@each(ELEMENTWISE)
def test_nan_propagates(act, dtype):
    check_nan(act, dtype)


@each(ELEMENTWISE)
def test_dtype_rules(act):
    check_dtypes(act)


@each(ELEMENTWISE)
def test_shapes_and_no_aliasing(act):
    check_shapes(act)


@pytest.mark.parametrize(
    ("name", "x", "want"),
    [
        ("sigmoid", -1000.0, 0.0),
        ("sigmoid", 1000.0, 1.0),
        ("softplus", 1000.0, 1000.0),
        ("softplus", -1000.0, 0.0),
        ("tanh", 1e4, 1.0),
        ("elu", -1e4, -1.0),
        ("mish", 1e4, 1e4),
        ("mish", -1e4, 0.0),
        ("swish", 1e4, 1e4),
        ("swish", -1e4, 0.0),
        ("gelu", -1e4, 0.0),
        ("gelu", 1e4, 1e4),
    ],
)
def test_named_extremes(name, x, want):
    act = actlib.get(name)
    with no_warnings():
        for dtype in (np.float32, np.float64):
            y = act(dtype(x))
            assert y == want and y.dtype == dtype, f"{name}({x}) = {y!r}, want {want}"
            assert np.isfinite(act.grad(dtype(x)))


def test_naive_formulas_do_warn():
    """The control: the naive formulas the lessons start from do overflow, so the tests above prove something."""
    with pytest.warns(RuntimeWarning):
        _ = 1.0 / (1.0 + np.exp(-np.array([-1000.0])))
    with pytest.warns(RuntimeWarning):
        _ = np.log(1.0 + np.exp(np.array([1000.0])))
    with pytest.warns(RuntimeWarning):
        x = np.array([1000.0, 1000.0])
        _ = np.exp(x) / np.exp(x).sum()


# ---------------------------------------------------------------------------------------------
# softmax: dtype, shape and extremes of a vector function
SOFTMAX = actlib.get("softmax")


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
def test_softmax_dtype(dtype):
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype=dtype)
    p, j = SOFTMAX(x), SOFTMAX.grad(x)
    assert p.dtype == dtype and j.dtype == dtype
    assert p.shape == (2, 3) and j.shape == (2, 3, 3)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=10 * np.finfo(dtype).eps)


@pytest.mark.parametrize("x", [[1, 2, 3], [True, False], np.array([1, 2], dtype=np.int32)], ids=["list", "bool", "int32"])
def test_softmax_promotes_to_float64(x):
    assert SOFTMAX(x).dtype == np.float64
    assert SOFTMAX.grad(x).dtype == np.float64


@pytest.mark.parametrize("shape", [(1,), (4,), (2, 5), (2, 3, 4), (3, 1)])
def test_softmax_shapes(shape):
    x = np.random.default_rng(0).normal(size=shape)
    assert SOFTMAX(x).shape == shape
    assert SOFTMAX.grad(x).shape == (*shape, shape[-1])
    assert A.log_softmax(x).shape == shape


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_softmax_axis(axis):
    x = np.random.default_rng(3).normal(size=(3, 4))
    p = SOFTMAX(x, axis=axis)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p, np.moveaxis(SOFTMAX(np.moveaxis(x, axis, -1)), -1, axis), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
def test_softmax_no_warning_for_finite_extremes(dtype):
    fi = np.finfo(dtype)
    rows = np.array(
        [[fi.max, -fi.max, 0.0], [fi.max, fi.max, fi.max], [-fi.max, -fi.max, 1.0], [1e30, -1e30, 0.0], [fi.smallest_subnormal, 0.0, -1e-30]],
        dtype=dtype,
    )
    with no_warnings():
        p = SOFTMAX(rows)
        lp = A.log_softmax(rows)
        j = SOFTMAX.grad(rows)
    assert not np.isnan(p).any() and not np.isnan(lp).any() and not np.isnan(j).any()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=10 * fi.eps)
    np.testing.assert_array_equal(p[0], np.array([1.0, 0.0, 0.0], dtype=dtype))
    np.testing.assert_allclose(p[1], 1 / 3, rtol=10 * fi.eps)


def test_softmax_infinities_and_nan():
    with no_warnings():
        np.testing.assert_array_equal(SOFTMAX([np.inf, 0.0, 1.0]), [1.0, 0.0, 0.0])
        np.testing.assert_array_equal(SOFTMAX([-np.inf, 0.0]), [0.0, 1.0])
        np.testing.assert_array_equal(A.log_softmax([np.inf, 0.0]), [0.0, -np.inf])
        np.testing.assert_array_equal(SOFTMAX.grad([np.inf, 0.0]), np.zeros((2, 2)))
        p = SOFTMAX([[np.nan, 0.0], [1.0, 1.0]])
        j = SOFTMAX.grad([np.nan, 0.0])
    assert np.isnan(p[0]).all()  # a NaN poisons its own row ...
    np.testing.assert_array_equal(p[1], [0.5, 0.5])  # ... and only that row
    assert np.isnan(j).all()
