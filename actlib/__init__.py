"""actlib: the helper package of the activation-functions course.

>>> import actlib
>>> actlib.names()[:4]
['elu', 'gelu', 'leaky_relu', 'linear']
>>> relu = actlib.get("relu")
>>> relu([-1.0, 2.0]), relu.grad([-1.0, 2.0])
(array([0., 2.]), array([0., 1.]))

``import actlib`` loads NumPy and SciPy only. Matplotlib (``actlib.plotting``), ipywidgets
(``actlib.widgets``) and TensorFlow (``actlib.keras()``) load when first used.
"""

__version__ = "0.1.0"

import importlib as _importlib

from . import activations
from .env import check_environment, require
from .keras_loader import keras, tensorflow
from .registry import Activation, aliases, describe, get, names, register, unregister

__all__ = [
    "Activation",
    "__version__",
    "activations",
    "aliases",
    "check_environment",
    "describe",
    "get",
    "keras",
    "names",
    "register",
    "require",
    "tensorflow",
    "unregister",
]

def __getattr__(name):  # PEP 562: submodules (plotting, widgets, explorer, ...) load on first use
    if not name.startswith("_"):
        try:
            return _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the submodule exists but needs something missing: show that error
    raise AttributeError(f"module 'actlib' has no attribute {name!r}")
