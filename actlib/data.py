"""Small generated data sets for the course: XOR, two moons, two circles, two spirals.

Everything is NumPy, offline and seeded. Each generator returns ``(X, y)``: ``X`` a float64
array of shape ``(n, 2)``, ``y`` an int64 array of shape ``(n,)`` with labels 0 and 1.

>>> from actlib import data
>>> X, y = data.xor()
>>> X
array([[0., 0.],
       [0., 1.],
       [1., 0.],
       [1., 1.]])
>>> y
array([0, 1, 1, 0])
>>> X, y = data.moons(100, rng=0)
>>> X.shape, y.shape, int(y.sum())
((100, 2), (100,), 50)

Randomness: every generator takes ``rng``, a seed (int, default 0) or a
``numpy.random.Generator``; ``rng=None`` draws fresh entropy (a different data set each call).
The same seed gives the same data on every run.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import as_rng, check_real

__all__ = ["circles", "moons", "spirals", "xor"]


def _rng(func: str, rng) -> np.random.Generator:
    return as_rng(rng, func)


def _count(func: str, name: str, value, minimum: int = 1) -> int:
    """A positive integer count (bools and floats are refused, even 4.0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an int; got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}; got {value}.")
    return int(value)


def _finish(X, y, shuffle: bool, rng: np.random.Generator):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y


def xor(n_per_corner: int = 1, *, noise: float = 0.0, centered: bool = False, shuffle: bool = False, rng=0):
    """The XOR problem: label 1 where exactly one coordinate is "on".

    With the defaults it returns the four corners of the unit square in truth-table order,
    so that row i of X is row i of the table (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0.

    Args:
        n_per_corner: points per corner (int >= 1). More than 1 makes four clouds.
        noise: standard deviation of Gaussian noise added to every coordinate (>= 0).
        centered: corners at ±1 instead of 0 and 1 (zero-mean inputs, as tanh nets like them).
        shuffle: shuffle the rows; off by default, so the rows stay in truth-table order
            (all points of corner (0,0) first, then (0,1), (1,0), (1,1)).
        rng: seed or Generator for the noise and the shuffle.

    Returns:
        ``(X, y)``: X float64 of shape ``(4 * n_per_corner, 2)``, y int64 in {0, 1}.

    >>> X, y = xor(centered=True)
    >>> X[:, 0], y
    (array([-1., -1.,  1.,  1.]), array([0, 1, 1, 0]))
    """
    n_per_corner = _count("xor", "n_per_corner", n_per_corner)
    noise = check_real("xor", "noise", noise, low=0.0)
    gen = _rng("xor", rng)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    if centered:
        corners = 2.0 * corners - 1.0
    X = np.repeat(corners, n_per_corner, axis=0)
    y = np.repeat(labels, n_per_corner)
    if noise > 0:
        X = X + noise * gen.standard_normal(X.shape)
    return _finish(X, y, shuffle, gen)


def moons(n: int = 200, *, noise: float = 0.1, shuffle: bool = True, rng=0):
    """Two interleaving half circles ("two moons"), n // 2 points of class 0 and the rest class 1.

    Class 0 lies on the upper half of the unit circle centred at (0, 0); class 1 on the lower
    half of the unit circle centred at (1, 0.5). Noise is Gaussian with standard deviation
    ``noise`` on each coordinate.

    >>> X, y = moons(4, noise=0.0, shuffle=False)
    >>> X.round(3)
    array([[ 1. ,  0. ],
           [-1. ,  0. ],
           [ 0. ,  0.5],
           [ 2. ,  0.5]])
    """
    n = _count("moons", "n", n, minimum=2)
    noise = check_real("moons", "noise", noise, low=0.0)
    gen = _rng("moons", rng)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower])
    y = np.repeat([0, 1], [n0, n1])
    if noise > 0:
        X = X + noise * gen.standard_normal(X.shape)
    return _finish(X, y, shuffle, gen)


def circles(n: int = 200, *, noise: float = 0.05, factor: float = 0.5, shuffle: bool = True, rng=0):
    """Two concentric circles: class 0 on the unit circle, class 1 on the circle of radius ``factor``.

    n // 2 points go to the outer circle and the rest to the inner one, evenly spaced in angle,
    then Gaussian noise of standard deviation ``noise`` is added. ``factor`` must lie in (0, 1).

    >>> X, y = circles(8, noise=0.0, shuffle=False)
    >>> np.hypot(X[:, 0], X[:, 1]).round(3), y
    (array([1. , 1. , 1. , 1. , 0.5, 0.5, 0.5, 0.5]), array([0, 0, 0, 0, 1, 1, 1, 1]))
    """
    n = _count("circles", "n", n, minimum=2)
    noise = check_real("circles", "noise", noise, low=0.0)
    factor = check_real("circles", "factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
    gen = _rng("circles", rng)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner])
    y = np.repeat([0, 1], [n0, n1])
    if noise > 0:
        X = X + noise * gen.standard_normal(X.shape)
    return _finish(X, y, shuffle, gen)


def spirals(n: int = 200, *, noise: float = 0.1, turns: float = 1.5, shuffle: bool = True, rng=0):
    """Two interleaved spirals (the second is the first turned by 180°), n // 2 points for class 0.

    Point i of an arm sits at radius r = t / (2π·turns) ∈ [0.05, 1] and angle t, for t spread
    evenly from a small start to 2π·turns, so each arm winds ``turns`` times around the origin
    and fits in the unit disc. Gaussian noise of standard deviation ``noise`` (in units of the
    unit disc) is added to each coordinate.

    >>> X, y = spirals(6, noise=0.0, shuffle=False)
    >>> np.allclose(X[:3], -X[3:]), y
    (True, array([0, 0, 0, 1, 1, 1]))
    """
    n = _count("spirals", "n", n, minimum=2)
    noise = check_real("spirals", "noise", noise, low=0.0)
    turns = check_real("spirals", "turns", turns, low=0.0, low_open=True)
    gen = _rng("spirals", rng)
    n0 = n // 2
    n1 = n - n0
    total = 2.0 * np.pi * turns

    def arm(m):
        t = np.linspace(0.05 * total, total, m)
        r = t / total
        return np.column_stack([r * np.cos(t), r * np.sin(t)])

    a0 = arm(n0)
    a1 = -arm(n1)
    X = np.vstack([a0, a1])
    y = np.repeat([0, 1], [n0, n1])
    if noise > 0:
        X = X + noise * gen.standard_normal(X.shape)
    return _finish(X, y, shuffle, gen)
