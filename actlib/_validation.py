"""Argument checks and error messages: the one place where actlib phrases errors.

Every message has the shape ``<function>: <what was expected>; got <what came>.`` so that a
student can tell at a glance which call went wrong and how to fix it.
"""

from __future__ import annotations

import difflib
import math
import numbers

import numpy as np

__all__ = ["as_float_array", "check_real", "suggest", "unknown_name"]


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_float_array(x, func: str) -> np.ndarray:
    """Convert ``x`` to a floating NumPy array, keeping float32/float64 and promoting the rest.

    float32 and float64 arrays are returned as they are; float16 is converted to float32 (the
    caller computes in float32 and converts the result back to float16); integers, booleans and
    lists of numbers become float64. Complex numbers, strings, None and other objects raise
    ``TypeError``.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        if isinstance(x, (str, bytes)):
            raise TypeError(f"{func}: expected real numbers (a number, list or NumPy array); got the string {_short(x)}.")
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged lists and the like
            raise TypeError(f"{func}: expected real numbers (a number, list or NumPy array); got {_short(x)} ({exc}).") from None
        if hasattr(x, "numpy") and arr.dtype == object:  # a framework tensor that did not convert
            arr = np.asarray(x.numpy())
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype == np.float16:
            return arr.astype(np.float32)
        if arr.dtype.itemsize > 8:  # long double: compute in float64
            return arr.astype(np.float64)
        return arr
    if kind in "iub":
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(f"{func}: expected real numbers; got complex values (dtype {arr.dtype}). Pass x.real if that is what you mean.")
    if kind == "O":
        # NumPy casts None to NaN and "2" to 2.0: that would hide a mistake, so refuse both.
        if any(v is None for v in arr.flat):
            raise TypeError(
                f"{func}: expected real numbers (a number, list or NumPy array); got {_short(x)}, which contains None "
                "(use np.nan for a missing value)."
            )
        if not any(isinstance(v, (str, bytes)) for v in arr.flat):
            try:
                return arr.astype(np.float64)
            except (TypeError, ValueError):
                pass
    raise TypeError(f"{func}: expected real numbers (a number, list or NumPy array); got {_short(x)} (dtype {arr.dtype}).")


def check_real(func: str, name: str, value, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Check a scalar parameter: a finite real number inside the given bounds; return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a real number; got {_short(value)} of type {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{func}: {name} must be finite; got {value}.")
    if low is not None and (value <= low if low_open else value < low):
        op = ">" if low_open else ">="
        raise ValueError(f"{func}: {name} must be {op} {low:g}; got {value:g}.")
    if high is not None and (value >= high if high_open else value > high):
        op = "<" if high_open else "<="
        raise ValueError(f"{func}: {name} must be {op} {high:g}; got {value:g}.")
    return value


def suggest(name: str, known) -> list[str]:
    """The known names closest to ``name`` (best first)."""
    key = str(name).lower().replace("-", "_").replace(" ", "_")
    return difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.5)


def unknown_name(func: str, what: str, name, known, aliases=None) -> ValueError:
    """Build the ``ValueError`` for an unknown name, with a 'did you mean' and the full sorted list."""
    candidates = set(known) | set(aliases or {})
    close = suggest(name, candidates)
    hint = ""
    if close:
        hint = " Did you mean " + " or ".join(repr(c) for c in close) + "?"
    listing = ", ".join(sorted(known))
    if aliases:
        listing += " (aliases: " + ", ".join(f"{a}\u2192{t}" for a, t in sorted(aliases.items())) + ")"
    return ValueError(f"{func}: unknown {what} {_short(name)}.{hint} Known: {listing}.")


def as_rng(rng, func: str) -> np.random.Generator:
    """A NumPy Generator from an int seed (>= 0), a Generator (returned as is) or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"{func}: rng must be a non-negative int seed, a numpy.random.Generator or None; got {_short(rng)}.")
