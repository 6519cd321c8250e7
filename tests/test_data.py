"""Tests of actlib.data: the generated data sets (shapes, geometry, seeding, argument checks)."""

import warnings

import numpy as np
import pytest

from actlib import data

GENERATORS = {"moons": data.moons, "circles": data.circles, "spirals": data.spirals}


# -- XOR ------------------------------------------------------------------------------------------
def test_xor_default_is_the_truth_table():
    X, y = data.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64 and y.dtype == np.int64
    # the label is exactly "one coordinate on, not both"
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


def test_xor_centered_moves_corners_to_plus_minus_one():
    X, y = data.xor(centered=True)
    np.testing.assert_array_equal(X, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    # centred XOR is the sign of the product: label 1 where x1·x2 < 0
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_xor_clouds_stay_around_their_corners():
    X, y = data.xor(250, noise=0.1, rng=3)
    assert X.shape == (1000, 2) and y.shape == (1000,)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for i, corner in enumerate(corners):
        block = X[250 * i : 250 * (i + 1)]
        np.testing.assert_allclose(block.mean(axis=0), corner, atol=0.03)
        np.testing.assert_allclose(block.std(axis=0), 0.1, rtol=0.15)
        assert np.all(y[250 * i : 250 * (i + 1)] == [0, 1, 1, 0][i])


def test_xor_shuffle_keeps_the_pairs():
    X, y = data.xor(5, noise=0.05, rng=1)
    Xs, ys = data.xor(5, noise=0.05, rng=1, shuffle=True)
    assert not np.array_equal(ys, y)  # the order changed
    # every (point, label) pair survives the shuffle (the noise is drawn before shuffling)
    key = lambda X, y: sorted(map(tuple, np.column_stack([X, y]).round(12)))
    assert key(Xs, ys) == key(X, y)


# -- moons, circles, spirals ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_dtypes_and_class_sizes(name, n):
    X, y = GENERATORS[name](n)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert int((y == 0).sum()) == n // 2 and int((y == 1).sum()) == n - n // 2
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    gen = GENERATORS[name]
    X1, y1 = gen(50, rng=7)
    X2, y2 = gen(50, rng=7)
    X3, _ = gen(50, rng=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    # a Generator is used as given (and advanced), so two calls with one Generator differ
    g = np.random.default_rng(7)
    Xa, _ = gen(50, rng=g)
    Xb, _ = gen(50, rng=g)
    np.testing.assert_array_equal(Xa, X1)
    assert not np.allclose(Xa, Xb)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shuffle_is_a_permutation(name):
    gen = GENERATORS[name]
    X, y = gen(40, noise=0.0, shuffle=False)
    Xs, ys = gen(40, noise=0.0, shuffle=True, rng=0)
    assert np.all(y[:20] == 0) and np.all(y[20:] == 1)
    assert not np.array_equal(ys, y)
    key = lambda X, y: sorted(map(tuple, np.column_stack([X, y]).round(12)))
    assert key(Xs, ys) == key(X, y)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(101, noise=0.0, shuffle=False)
    up, low = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0)
    assert np.all(up[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1.0, low[:, 1] - 0.5), 1.0)
    assert np.all(low[:, 1] <= 0.5 + 1e-12)


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.9])
def test_circles_without_noise_have_the_two_radii(factor):
    X, y = data.circles(60, noise=0.0, factor=factor, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], factor)


def test_spirals_without_noise_are_point_symmetric_and_inside_the_unit_disc():
    X, y = data.spirals(100, noise=0.0, turns=2.0, shuffle=False)
    np.testing.assert_allclose(X[y == 0], -X[y == 1])
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1.0 + 1e-12 and r.min() > 0.0
    # the angle of arm 0 winds `turns` times: total unwrapped angle = 2π·turns·(1 − 0.05)
    angle = np.unwrap(np.arctan2(X[y == 0, 1], X[y == 0, 0]))
    np.testing.assert_allclose(angle[-1] - angle[0], 2 * np.pi * 2.0 * 0.95, rtol=1e-9)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_noise_has_the_requested_size(name):
    gen = GENERATORS[name]
    X0, _ = gen(4000, noise=0.0, shuffle=False)
    X1, _ = gen(4000, noise=0.2, shuffle=False, rng=0)
    np.testing.assert_allclose((X1 - X0).std(axis=0), 0.2, rtol=0.05)


def test_no_warnings_for_edge_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.xor(1, noise=0.0)
        data.moons(2, noise=0.0)
        data.circles(2, noise=0.0, factor=1e-9)
        data.spirals(2, noise=0.0, turns=1e-6)


# -- argument checks ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: data.xor(0), ValueError, "xor: n_per_corner must be >= 1; got 0"),
        (lambda: data.xor(2.0), TypeError, "xor: n_per_corner must be an int"),
        (lambda: data.xor(True), TypeError, "xor: n_per_corner must be an int"),
        (lambda: data.xor(noise=-0.1), ValueError, "xor: noise must be >= 0"),
        (lambda: data.xor(noise=float("nan")), ValueError, "xor: noise must be finite"),
        (lambda: data.xor(rng=-1), TypeError, "xor: rng must be a non-negative int seed"),
        (lambda: data.xor(rng="seed"), TypeError, "xor: rng must be"),
        (lambda: data.moons(1), ValueError, "moons: n must be >= 2; got 1"),
        (lambda: data.moons(noise="a lot"), TypeError, "moons: noise must be a real number"),
        (lambda: data.circles(factor=1.0), ValueError, "circles: factor must be < 1"),
        (lambda: data.circles(factor=0.0), ValueError, "circles: factor must be > 0"),
        (lambda: data.spirals(turns=0), ValueError, "spirals: turns must be > 0"),
        (lambda: data.spirals(n=10.5), TypeError, "spirals: n must be an int"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, fragment):
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_rng_none_gives_fresh_data():
    X1, _ = data.moons(20, rng=None)
    X2, _ = data.moons(20, rng=None)
    assert not np.allclose(X1, X2)
