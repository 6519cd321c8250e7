"""A quiet way to get Keras: TensorFlow imported lazily and without log noise.

TensorFlow 2.21 writes lines such as "WARNING: All log messages before absl::InitializeLog() is
called are written to STDERR", the oneDNN notice and CUDA probing straight to the process's
stderr (file descriptor 2) while it is imported, even with ``TF_CPP_MIN_LOG_LEVEL`` set.
JupyterLab shows them as red boxes. ``keras()`` sets the log level, points fd 2 at /dev/null
for the duration of the import and of the first operation, then restores it, so genuine errors
later on are still shown.

``import actlib`` never imports TensorFlow; only calling ``actlib.keras()`` does.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings

__all__ = ["is_loaded", "keras", "tensorflow"]

_STATE = {"keras": None, "deterministic": False}


@contextlib.contextmanager
def _silenced_stderr():
    """Send fd 2 (C/C++ logging) and Python's stderr to /dev/null inside the block."""
    try:
        sys.stderr.flush()
    except Exception:  # pragma: no cover - a closed stream
        pass
    saved = None
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # pragma: no cover - no real fd 2 (some embedded interpreters)
        saved = None
    try:
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def _load():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    try:
        with _silenced_stderr():
            import keras as _keras
            import tensorflow as tf

            tf.get_logger().setLevel("ERROR")
            try:
                from absl import logging as absl_logging

                absl_logging.set_verbosity(absl_logging.ERROR)
            except ImportError:  # pragma: no cover
                pass
            # The first operation creates the CPU device, which logs once more.
            _ = (tf.constant([[1.0]]) @ tf.constant([[1.0]])).numpy()
    except ImportError as exc:
        raise ImportError(
            "actlib.keras: this lesson needs TensorFlow >= 2.16 with Keras 3, which is not installed "
            f"({exc}). Install the course's requirements: pip install -r requirements.txt"
        ) from None
    if not _keras.__version__.startswith("3"):
        raise ImportError(f"actlib.keras: the course needs Keras 3; found Keras {_keras.__version__}. Run: pip install -U 'keras>=3'")
    return _keras


def keras(seed: int | None = None):
    """Return the ``keras`` module, importing TensorFlow quietly the first time.

    With ``seed``, also seed Python, NumPy and TensorFlow (``keras.utils.set_random_seed``)
    and turn on TensorFlow's deterministic ops, so that a training run gives the same numbers
    each time on one machine.
    """
    if _STATE["keras"] is None:
        _STATE["keras"] = _load()
    k = _STATE["keras"]
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise TypeError(f"actlib.keras: seed must be a non-negative int or None; got {seed!r}.")
        k.utils.set_random_seed(seed)
        if not _STATE["deterministic"]:
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
            _STATE["deterministic"] = True
    return k


def tensorflow():
    """Return the ``tensorflow`` module, imported quietly (see ``keras``)."""
    keras()
    import tensorflow as tf

    return tf


def is_loaded() -> bool:
    """Whether TensorFlow has been imported in this process (by anyone)."""
    return "tensorflow" in sys.modules
