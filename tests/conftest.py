"""Fixtures for actlib's unit tests (the shared data and checks live in ``_actlib_cases.py``)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # plotting tests never need a display


def _tensorflow_installed() -> bool:
    return importlib.util.find_spec("tensorflow") is not None and importlib.util.find_spec("keras") is not None


def pytest_collection_finish(session):
    """Start the loader tests' fresh Python processes early: they import TensorFlow (~5 s each)
    and run in the background while the other tests run."""
    if session.config.option.collectonly:
        return
    if _tensorflow_installed() and any(Path(str(item.path)).name == "test_keras_loader.py" for item in session.items):
        import _actlib_cases

        _actlib_cases.start_subprocesses()


def pytest_sessionfinish(session, exitstatus):
    import sys

    cases = sys.modules.get("_actlib_cases")
    if cases is not None:
        cases.stop_subprocesses()


@pytest.fixture(scope="session")
def keras():
    """Keras 3 imported once per session through actlib's quiet loader; skips without TensorFlow."""
    if not _tensorflow_installed():
        pytest.skip("TensorFlow/Keras are not installed: the Keras tests need them (pip install -r requirements.txt)")
    import actlib

    return actlib.keras()


@pytest.fixture(scope="session")
def tf(keras):
    """The tensorflow module (imported by the ``keras`` fixture)."""
    import actlib

    return actlib.tensorflow()
