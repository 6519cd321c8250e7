"""Environment checks for the first cell of every notebook."""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["MINIMUM", "check_environment", "require"]

#: Minimum versions the course is tested with (lower bounds, as in requirements.txt).
MINIMUM = {
    "numpy": "1.26",
    "scipy": "1.11",
    "matplotlib": "3.8",
    "ipywidgets": "8.1",
    "scikit-learn": "1.4",
    "tensorflow": "2.16",
    "keras": "3.3",
}


def _parse(version: str) -> tuple:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def require(minimum: str) -> str:
    """Fail early, with a fix, if the installed actlib is older than the notebook needs."""
    from . import __version__

    if not isinstance(minimum, str) or not _parse(minimum):
        raise ValueError(f"actlib.require: expected a version string such as '0.1'; got {minimum!r}.")
    if _parse(__version__) < _parse(minimum):
        raise RuntimeError(
            f"actlib.require: this notebook needs actlib >= {minimum}; found {__version__}. "
            "Update the course (git pull) and reinstall: pip install -r requirements.txt"
        )
    return __version__


def _installed(dist: str):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_environment(verbose: bool = True) -> dict:
    """Report Python and package versions without importing TensorFlow; raise if one is too old.

    Returns ``{package: version or None}``. Missing TensorFlow/Keras is reported, not raised:
    notebooks 00-07 run without them.
    """
    found = {"python": platform.python_version()}
    for dist in MINIMUM:
        found[dist] = _installed(dist)
    too_old = [f"{d} {v} (need >= {MINIMUM[d]})" for d, v in found.items() if d in MINIMUM and v and _parse(v) < _parse(MINIMUM[d])]
    if verbose:
        for name, version in found.items():
            note = ""
            if version is None:
                note = "  (not installed: needed from notebook 01 on for Keras)" if name in ("tensorflow", "keras") else "  (not installed)"
            print(f"{name:<13} {version or '-'}{note}")
    if too_old:
        raise RuntimeError("check_environment: too old: " + "; ".join(too_old) + ". Run: pip install -U -r requirements.txt")
    return found
