"""The activation registry: one ``Activation`` record per function, looked up by name.

>>> import actlib
>>> act = actlib.get("leaky_relu", alpha=0.1)
>>> act([-2.0, 0.0, 3.0])
array([-0.2,  0. ,  3. ])
>>> act.grad([-2.0, 3.0])
array([0.1, 1. ])
>>> act.output_range
(-inf, inf)

Every record carries what a lesson needs to know about the function: formula and derivative in
LaTeX, output range, whether it is monotonic, smooth (continuously differentiable) and
zero-centred, where its kinks are and which derivative we use there, the Keras spelling with
the same parameters, the recommended initializer and the paper.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from . import activations as A
from ._validation import as_float_array, check_real, unknown_name

__all__ = ["Activation", "aliases", "get", "names", "register", "unregister"]

inf = math.inf


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation function with its parameters bound, and what the course knows about it.

    Call it (``act(x)``) for the forward pass and ``act.grad(x)`` for the derivative with
    respect to x. Both accept numbers, lists and arrays and return arrays of x's shape (for
    ``softmax``, ``grad`` returns the Jacobian along the last axis, shape ``(..., K, K)``).

    Fields:
        name: canonical registry name, e.g. ``"leaky_relu"``.
        params: the bound parameters, e.g. ``{"alpha": 0.01}`` (read-only).
        formula: LaTeX for f(x). derivative: LaTeX for f'(x).
        output_range: ``(lo, hi)``, with ``±math.inf`` for unbounded sides.
        monotonic: f never decreases. smooth: f is continuously differentiable everywhere.
        zero_centered: the mean output for standard normal input is 0 (|E f(z)| < 0.05).
        kinks: points where f' jumps; kink_convention: which value ``grad`` returns there.
        keras: the identifier Keras accepts (``activation=...``); keras_code: the Keras spelling
            with the parameters passed explicitly (Keras' defaults differ from ours).
        init: recommended Keras initializer name. reference: the paper.
    """

    name: str
    fn: Callable = field(repr=False)
    grad_fn: Callable = field(repr=False)
    params: Mapping[str, Any] = field(default_factory=dict)
    formula: str = ""
    derivative: str = ""
    output_range: tuple = (-inf, inf)
    monotonic: bool = True
    smooth: bool = True
    zero_centered: bool = False
    kinks: tuple = ()
    kink_convention: str = ""
    keras: str | None = None
    keras_code: str = ""
    keras_note: str = ""
    init: str = "glorot_uniform"
    reference: str = ""
    description: str = ""
    elementwise: bool = True
    minimum: tuple | None = None  # (x, f(x)) of a dip below zero, for non-monotonic activations
    range_latex: str | None = None  # the output range as an interval, when not simply open
    keras_fn: Callable | None = field(default=None, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    # -- evaluation --------------------------------------------------------------------------
    def __call__(self, x, **kwargs):
        """f(x) with the bound parameters (``axis=`` is accepted by softmax)."""
        return self.fn(x, **self.params, **kwargs)

    def grad(self, x):
        """f'(x), the derivative with respect to the input (the Jacobian for softmax)."""
        return self.grad_fn(x, **self.params)

    # -- derived facts -------------------------------------------------------------------------
    @property
    def bounded_below(self) -> bool:
        return math.isfinite(self.output_range[0])

    @property
    def bounded_above(self) -> bool:
        return math.isfinite(self.output_range[1])

    @property
    def bounded(self) -> bool:
        return self.bounded_below and self.bounded_above

    @property
    def label(self) -> str:
        """Short display name with non-default parameters, e.g. ``elu(alpha=0.5)``."""
        defaults = _FACTORIES[self.name].defaults if self.name in _FACTORIES else {}
        extra = {k: v for k, v in self.params.items() if defaults.get(k, object()) != v}
        if not extra:
            return self.name
        return f"{self.name}(" + ", ".join(f"{k}={v!r}" for k, v in extra.items()) + ")"

    def with_params(self, **params) -> Activation:
        """The same activation with other parameter values, e.g. ``act.with_params(alpha=0.2)``."""
        return get(self.name, **{**self.params, **params})

    def keras_function(self):
        """A callable on Keras tensors equal to this activation, parameters included.

        Imports Keras (and TensorFlow) quietly on first use.
        """
        if self.keras_fn is None:
            raise ValueError(f"{self.name}.keras_function: this activation has no Keras equivalent.")
        from .keras_loader import keras as _keras

        return self.keras_fn(_keras(), **self.params)

    # -- display --------------------------------------------------------------------------------
    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name!r}{', ' + params if params else ''})"

    def _rows(self):
        rows = [
            ("formula", f"${self.formula}$"),
            ("derivative", f"${self.derivative}$"),
            ("output range", f"${self._range_latex()}$"),
            ("monotonic", _yes(self.monotonic)),
            ("smooth (C¹)", _yes(self.smooth)),
            ("zero-centred", _yes(self.zero_centered)),
        ]
        if self.kinks:
            rows.append(("kinks", ", ".join(f"x = {k:g}" for k in self.kinks) + f" ({self.kink_convention})"))
        if self.minimum is not None:
            rows.append(("minimum", f"f({self.minimum[0]:.4f}) = {self.minimum[1]:.4f}"))
        rows.append(("initializer", f"`{self.init}`"))
        keras_text = f"`{self.keras_code}`" if self.keras_code else "—"
        if self.keras_note:
            keras_text += f" ({self.keras_note})"
        rows.append(("Keras", keras_text))
        rows.append(("paper", self.reference or "—"))
        return rows

    @property
    def output_range_latex(self) -> str:
        """The output range as a LaTeX interval, e.g. ``[0, \\infty)`` for ReLU, ``(-1, 1)`` for tanh."""
        return self._range_latex()

    def _range_latex(self):
        if self.range_latex:
            return self.range_latex
        lo, hi = self.output_range
        fmt = lambda v: r"\infty" if v == inf else (r"-\infty" if v == -inf else f"{v:.4g}")
        return ("[" if self.minimum else "(") + f"{fmt(lo)}, {fmt(hi)})"

    def _repr_markdown_(self):
        head = f"**{self.label}**"
        if self.description:
            head += f": {self.description}"
        lines = [head, "", "| | |", "|---|---|"]
        lines += [f"| {k} | {v.replace('|', chr(92) + '|')} |" for k, v in self._rows()]
        return "\n".join(lines)

    def card(self) -> str:
        """The property card as plain text (what ``_repr_markdown_`` shows, without markup)."""
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        lines = [self.label + (f": {self.description}" if self.description else "")]
        lines += [f"  {k:<{width}}  {v}" for k, v in rows]
        return "\n".join(lines)



def _yes(flag):
    return "yes" if flag else "no"


# ---------------------------------------------------------------------------------------------
# Factories: one per activation; each validates its parameters and builds the record.
@dataclass(frozen=True)
class _Factory:
    name: str
    build: Callable
    defaults: Mapping[str, Any]


_FACTORIES: dict[str, _Factory] = {}
_ALIASES: dict[str, str] = {}
_BUILTIN: set[str] = set()


def _factory(name, **defaults):
    def deco(build):
        _FACTORIES[name] = _Factory(name, build, defaults)
        _BUILTIN.add(name)
        return build

    return deco


_DIPS: dict = {}


def _dip(act):
    """Locate the minimum of a non-monotonic activation by bisection on its derivative."""
    key = (act.name, tuple(sorted(act.params.items())))
    if key not in _DIPS:
        _DIPS[key] = _bisect_dip(act)
    return _DIPS[key]


def _bisect_dip(act):
    """Bisection for the zero of f' left of 0, bracketed on a logarithmic grid of negative x.

    The dip can lie far out or very close to 0: swish with β = 0.001 has its minimum at
    x ≈ −1278, with β = 1000 at x ≈ −0.00128 (and there f'(−1) underflows to 0).
    """
    grid = -np.exp2(np.arange(-1000.0, 1001.0))  # −2^−1000 ... −2^1000, from 0 outwards
    with np.errstate(all="ignore"):
        negative = np.asarray(act.grad(grid)) < 0
    if not negative.any():
        raise ValueError(
            f"actlib.get: {act.name} has output_range (None, ...), which asks for the minimum of a dip below zero, "
            "but its derivative is never negative for x < 0; give the lower bound of output_range explicitly."
        )
    i = int(np.argmax(negative))  # the negative slope closest to 0; f' >= 0 between it and 0
    lo, hi = float(grid[i]), (float(grid[i - 1]) if i > 0 else 0.0)
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):  # adjacent floats: as precise as float64 allows
            break
        if float(act.grad(mid)) < 0:
            lo = mid
        else:
            hi = mid
    x = hi if abs(float(act.grad(hi))) <= abs(float(act.grad(lo))) else lo
    return x, float(act(x))


_REF = {
    "sigmoid": "Rumelhart, Hinton & Williams (1986). Learning representations by back-propagating errors. Nature 323, 533–536.",
    "tanh": "LeCun, Bottou, Orr & Müller (1998). Efficient BackProp. In Neural Networks: Tricks of the Trade.",
    "relu": "Nair & Hinton (2010). Rectified Linear Units Improve Restricted Boltzmann Machines. ICML; Glorot, Bordes & Bengio (2011). Deep Sparse Rectifier Neural Networks. AISTATS.",
    "leaky_relu": "Maas, Hannun & Ng (2013). Rectifier Nonlinearities Improve Neural Network Acoustic Models. ICML workshop.",
    "prelu": "He, Zhang, Ren & Sun (2015). Delving Deep into Rectifiers. https://arxiv.org/abs/1502.01852",
    "elu": "Clevert, Unterthiner & Hochreiter (2016). Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs). https://arxiv.org/abs/1511.07289",
    "selu": "Klambauer, Unterthiner, Mayr & Hochreiter (2017). Self-Normalizing Neural Networks. https://arxiv.org/abs/1706.02515",
    "softplus": "Dugas, Bengio, Bélisle, Nadeau & Garcia (2001). Incorporating Second-Order Functional Knowledge for Better Option Pricing. NeurIPS.",
    "swish": "Ramachandran, Zoph & Le (2017). Searching for Activation Functions. https://arxiv.org/abs/1710.05941; as SiLU: Elfwing, Uchibe & Doya (2018). https://arxiv.org/abs/1702.03118",
    "gelu": "Hendrycks & Gimpel (2016). Gaussian Error Linear Units (GELUs). https://arxiv.org/abs/1606.08415",
    "mish": "Misra (2019). Mish: A Self Regularized Non-Monotonic Activation Function. https://arxiv.org/abs/1908.08681",
    "softmax": "Bridle (1990). Probabilistic Interpretation of Feedforward Classification Network Outputs. In Neurocomputing, NATO ASI Series F68.",
}

_RELU_KINK = "the derivative there is taken as {v}, TensorFlow's convention"


@_factory("linear")
def _linear():
    return dict(
        fn=A.linear, grad_fn=A.linear_grad, formula="x", derivative="1", zero_centered=True,
        keras="linear", keras_code="keras.activations.linear(x)", init="glorot_uniform",
        reference="(no paper: the identity, used for regression outputs)",
        description="identity; the layer stays linear",
        keras_fn=lambda k: k.activations.linear,
    )


@_factory("sigmoid")
def _sigmoid():
    return dict(
        fn=A.sigmoid, grad_fn=A.sigmoid_grad, formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative=r"\sigma(x)\,\bigl(1 - \sigma(x)\bigr)", output_range=(0.0, 1.0),
        keras="sigmoid", keras_code="keras.activations.sigmoid(x)", init="glorot_uniform",
        reference=_REF["sigmoid"], description="logistic squashing to (0, 1); binary outputs and gates",
        keras_fn=lambda k: k.activations.sigmoid,
    )


@_factory("tanh")
def _tanh():
    return dict(
        fn=A.tanh, grad_fn=A.tanh_grad, formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative=r"1 - \tanh^2(x)", output_range=(-1.0, 1.0), zero_centered=True,
        keras="tanh", keras_code="keras.activations.tanh(x)", init="glorot_uniform",
        reference=_REF["tanh"], description="zero-centred squashing to (−1, 1)",
        keras_fn=lambda k: k.activations.tanh,
    )


@_factory("relu")
def _relu():
    return dict(
        fn=A.relu, grad_fn=A.relu_grad, formula=r"\max(0, x)",
        derivative=r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", output_range=(0.0, inf),
        range_latex=r"[0, \infty)",
        smooth=False, kinks=(0.0,), kink_convention=_RELU_KINK.format(v="0"),
        keras="relu", keras_code="keras.activations.relu(x)", init="he_normal",
        reference=_REF["relu"], description="rectified linear unit; the default for hidden layers",
        keras_fn=lambda k: k.activations.relu,
    )


def _leaky_like(name, alpha, keras_fn, keras, keras_code, keras_note, reference, description):
    fn, grad_fn = (A.leaky_relu, A.leaky_relu_grad) if name == "leaky_relu" else (A.prelu, A.prelu_grad)
    return dict(
        formula=r"\begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
        derivative=r"\begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
        output_range=(-inf if alpha > 0 else 0.0, inf), range_latex=None if alpha > 0 else r"[0, \infty)",
        monotonic=alpha >= 0, smooth=alpha == 1.0, zero_centered=alpha == 1.0,
        kinks=() if alpha == 1.0 else (0.0,), kink_convention=_RELU_KINK.format(v="α"),
        fn=fn, grad_fn=grad_fn, keras=keras, keras_code=keras_code,
        keras_note=keras_note, init="he_normal", reference=reference, description=description,
        keras_fn=keras_fn,
    )


@_factory("leaky_relu", alpha=0.01)
def _leaky_relu(alpha=0.01):
    alpha = check_real("leaky_relu", "alpha", alpha, low=0.0)
    return _leaky_like(
        "leaky_relu", alpha,
        keras_fn=lambda k, alpha: lambda x: k.activations.leaky_relu(x, negative_slope=alpha),
        keras="leaky_relu",
        keras_code=f"keras.activations.leaky_relu(x, negative_slope={alpha!r})",
        keras_note="the bare string 'leaky_relu' means slope 0.2 in Keras, and keras.layers.LeakyReLU() 0.3",
        reference=_REF["leaky_relu"], description="ReLU with a small fixed slope α for x < 0",
    )


@_factory("prelu", alpha=0.25)
def _prelu(alpha=0.25):
    alpha = check_real("prelu", "alpha", alpha)

    def keras_fn(k, alpha):
        return lambda x: k.ops.where(x > 0, x, alpha * x)

    return _leaky_like(
        "prelu", alpha, keras_fn=keras_fn, keras="PReLU",
        keras_code=f"keras.layers.PReLU(alpha_initializer=keras.initializers.Constant({alpha!r}))",
        keras_note=(
            "a layer: α is learned, one per unit unless shared_axes is set; Keras starts it at 0; "
            "it computes relu(x) − α·relu(−x), so tf.GradientTape gives 0 at exactly x = 0, not α"
        ),
        reference=_REF["prelu"], description="Leaky ReLU whose slope α is learned (here: its current value)",
    )


@_factory("elu", alpha=1.0)
def _elu(alpha=1.0):
    alpha = check_real("elu", "alpha", alpha, low=0.0, low_open=True)
    return dict(
        fn=A.elu, grad_fn=A.elu_grad,
        formula=r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        derivative=r"\begin{cases} 1 & x > 0 \\ \alpha\, e^{x} & x \le 0 \end{cases}",
        output_range=(-alpha, inf), smooth=alpha == 1.0,
        kinks=() if alpha == 1.0 else (0.0,), kink_convention=_RELU_KINK.format(v="α"),
        keras="elu", keras_code=f"keras.activations.elu(x, alpha={alpha!r})", init="he_normal",
        keras_note="" if alpha == 1.0 else "the bare string 'elu' means α = 1: pass alpha= to keras.activations.elu",
        reference=_REF["elu"], description="exponential linear unit; negative values saturate at −α",
        keras_fn=lambda k, alpha: lambda x: k.activations.elu(x, alpha=alpha),
    )


@_factory("selu")
def _selu():
    return dict(
        fn=A.selu, grad_fn=A.selu_grad,
        formula=r"\lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
        derivative=r"\lambda \begin{cases} 1 & x \ge 0 \\ \alpha\, e^{x} & x < 0 \end{cases}",
        output_range=(-A.SELU_LAMBDA * A.SELU_ALPHA, inf), smooth=False, zero_centered=True,
        kinks=(0.0,), kink_convention=_RELU_KINK.format(v="λ"),
        keras="selu", keras_code="keras.activations.selu(x)", init="lecun_normal",
        keras_note="pair with kernel_initializer='lecun_normal' and standardised inputs",
        reference=_REF["selu"], description="scaled ELU that keeps activations at mean 0, variance 1",
        keras_fn=lambda k: k.activations.selu,
    )


@_factory("softplus")
def _softplus():
    return dict(
        fn=A.softplus, grad_fn=A.softplus_grad, formula=r"\log\bigl(1 + e^{x}\bigr)",
        derivative=r"\sigma(x)", output_range=(0.0, inf),
        keras="softplus", keras_code="keras.activations.softplus(x)", init="he_normal",
        reference=_REF["softplus"], description="a smooth ReLU; its derivative is the sigmoid",
        keras_fn=lambda k: k.activations.softplus,
    )


@_factory("swish", beta=1.0)
def _swish(beta=1.0):
    beta = check_real("swish", "beta", beta, low=0.0)
    if beta == 1.0:
        keras_code = "keras.activations.silu(x)"
        keras_fn = lambda k, beta: k.activations.silu
    else:
        keras_code = f"x * keras.activations.sigmoid({beta!r} * x)"
        keras_fn = lambda k, beta: lambda x: x * k.activations.sigmoid(beta * x)
    monotonic = beta == 0.0
    return dict(
        fn=A.swish, grad_fn=A.swish_grad, formula=r"x\,\sigma(\beta x)",
        derivative=r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
        output_range=(-inf, inf) if monotonic else (None, inf), monotonic=monotonic,
        zero_centered=monotonic, keras="silu", keras_code=keras_code,
        keras_note="" if beta == 1.0 else "Keras' silu/swish has no β",
        init="he_normal", reference=_REF["swish"],
        description="x gated by its own sigmoid (β = 1: SiLU); dips below 0",
        keras_fn=keras_fn,
    )


_GELU_APPROX = {False: "exact", "tanh": "tanh", "sigmoid": "sigmoid"}


@_factory("gelu", approximate=False)
def _gelu(approximate=False):
    # True means "tanh" (Keras' meaning); None, "exact", "erf" mean False; anything else raises.
    approximate = {"exact": False, "tanh": "tanh", "sigmoid": "sigmoid"}[A.gelu_mode(approximate)]
    if approximate is False:
        formula = r"x\,\Phi(x) = \tfrac{x}{2}\bigl(1 + \operatorname{erf}(x/\sqrt{2})\bigr)"
        derivative = r"\Phi(x) + x\,\varphi(x)"
        keras_code = "keras.activations.gelu(x, approximate=False)"
        keras_fn = lambda k, approximate: lambda x: k.activations.gelu(x, approximate=False)
    elif approximate == "tanh":
        formula = r"\tfrac{x}{2}\Bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715\,x^{3})\bigr)\Bigr)"
        derivative = r"\tfrac{1}{2}(1 + \tanh u) + \tfrac{x}{2}(1 - \tanh^2 u)\,u',\ u = \sqrt{2/\pi}\,(x + 0.044715\,x^{3})"
        keras_code = "keras.activations.gelu(x, approximate=True)"
        keras_fn = lambda k, approximate: lambda x: k.activations.gelu(x, approximate=True)
    else:
        formula = r"x\,\sigma(1.702\,x)"
        derivative = r"\sigma(1.702x) + 1.702\,x\,\sigma(1.702x)\bigl(1 - \sigma(1.702x)\bigr)"
        keras_code = "x * keras.activations.sigmoid(1.702 * x)"
        keras_fn = lambda k, approximate: lambda x: x * k.activations.sigmoid(1.702 * x)
    return dict(
        fn=A.gelu, grad_fn=A.gelu_grad, formula=formula, derivative=derivative,
        output_range=(None, inf), monotonic=False, keras="gelu", keras_code=keras_code,
        keras_note="always pass approximate= explicitly: defaults differ between Keras, TensorFlow and PyTorch",
        init="he_normal", reference=_REF["gelu"],
        description=f"x weighted by the normal CDF Φ(x) ({_GELU_APPROX[approximate]} form); used in transformers",
        keras_fn=keras_fn, _params={"approximate": approximate},
    )


@_factory("mish")
def _mish():
    return dict(
        fn=A.mish, grad_fn=A.mish_grad, formula=r"x\,\tanh\bigl(\operatorname{softplus}(x)\bigr)",
        derivative=r"\tanh(s) + x\,\bigl(1 - \tanh^2 s\bigr)\,\sigma(x),\ s = \operatorname{softplus}(x)",
        output_range=(None, inf), monotonic=False, keras="mish", keras_code="keras.activations.mish(x)",
        init="he_normal", reference=_REF["mish"], description="x·tanh(softplus(x)); smooth, dips below 0",
        keras_fn=lambda k: k.activations.mish,
    )


@_factory("softmax")
def _softmax():
    return dict(
        fn=A.softmax, grad_fn=lambda x: A.softmax_grad(x),
        formula=r"\mathrm{softmax}(\mathbf{x})_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
        derivative=r"\frac{\partial p_i}{\partial x_j} = p_i\,(\delta_{ij} - p_j)",
        output_range=(0.0, 1.0), elementwise=False,
        keras="softmax", keras_code="keras.activations.softmax(x, axis=-1)", init="glorot_uniform",
        keras_note="a vector function: outputs are positive and sum to 1 along the axis",
        reference=_REF["softmax"], description="turns a vector of scores into probabilities",
        keras_fn=lambda k: lambda x: k.activations.softmax(x, axis=-1),
    )


_ALIASES.update({"silu": "swish", "logistic": "sigmoid", "identity": "linear"})


# ---------------------------------------------------------------------------------------------
# Public lookup
def names() -> list[str]:
    """Sorted list of canonical activation names (aliases such as 'silu' are not repeated)."""
    return sorted(_FACTORIES)


def aliases() -> dict[str, str]:
    """Alias → canonical name, e.g. ``{'silu': 'swish', ...}``."""
    return dict(sorted(_ALIASES.items()))


def _canonical(name, func="actlib.get"):
    if not isinstance(name, str):
        raise TypeError(f"{func}: expected an activation name (str) or an Activation; got {name!r} of type {type(name).__name__}.")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _FACTORIES:
        raise unknown_name(func, "activation", name, _FACTORIES, _ALIASES)
    return key


def get(name, **params) -> Activation:
    """The activation called ``name`` with ``params`` bound (defaults for the rest).

    ``name`` is a registry name or alias (case-insensitive), or an ``Activation`` (returned
    with ``params`` applied), or ``None`` (linear, as in Keras). Parameters: ``alpha`` for
    leaky_relu (0.01), prelu (0.25) and elu (1.0); ``beta`` for swish (1.0); ``approximate``
    for gelu (False = exact, "tanh", "sigmoid").

    Raises:
        ValueError: unknown name (with the closest names and the full list) or a bad value.
        TypeError: a parameter this activation does not have.
    """
    if isinstance(name, Activation):
        return name.with_params(**params) if params else name
    if name is None:
        name = "linear"
    key = _canonical(name)
    factory = _FACTORIES[key]
    unknown = sorted(set(params) - set(factory.defaults))
    if unknown:
        from ._validation import suggest

        if factory.defaults:
            expected = "parameters " + ", ".join(repr(p) for p in factory.defaults)
        else:
            expected = "no parameters"
        close = suggest(unknown[0], factory.defaults)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"actlib.get: {key} takes {expected}; got {', '.join(repr(u) for u in unknown)}.{hint}")
    bound = {**factory.defaults, **params}
    for k, v in params.items():  # alpha=1 and np.float32(1) mean alpha=1.0: keep labels and cache keys canonical
        if isinstance(factory.defaults.get(k), float) and isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)):
            bound[k] = float(v)
    fields = factory.build(**bound)
    bound.update(fields.pop("_params", {}))
    keras_fn = fields.pop("keras_fn", None)
    if keras_fn is not None and factory.defaults:
        fields["keras_fn"] = keras_fn
    elif keras_fn is not None:
        fields["keras_fn"] = lambda k, _f=keras_fn: _f(k)
    act = Activation(name=key, params=bound, **fields)
    if act.output_range[0] is None:  # a dip below zero: locate it
        x_min, f_min = _dip(act)
        act = replace(act, output_range=(f_min, act.output_range[1]), minimum=(x_min, f_min))
    return act


def register(name, fn, grad, *, params=None, replace_existing=False, **fields) -> Activation:
    """Add an activation of your own to the registry, so that every tool of the course knows it.

    ``fn(x, **params)`` and ``grad(x, **params)`` take and return NumPy arrays; ``fields`` are
    any of the Activation fields (formula, output_range, monotonic, ...). Returns the record.
    """
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise ValueError(f"actlib.register: name must be a lower-case Python identifier such as 'my_act' (lookups ignore case); got {name!r}.")
    if name in _BUILTIN or name in _ALIASES:
        what = "a built-in activation" if name in _BUILTIN else f"an alias of the built-in {_ALIASES[name]!r}"
        raise ValueError(f"actlib.register: {name!r} is {what} and cannot be replaced; choose another name.")
    if name in _FACTORIES and not replace_existing:
        raise ValueError(f"actlib.register: {name!r} is already registered; pass replace_existing=True to replace it.")
    for f, what in ((fn, "fn"), (grad, "grad")):
        if not callable(f):
            raise TypeError(f"actlib.register: {what} must be a function of x; got {f!r}.")
    allowed = {f.name for f in Activation.__dataclass_fields__.values()} - {"name", "fn", "grad_fn", "params"}
    bad = sorted(set(fields) - allowed)
    if bad:
        raise TypeError(f"actlib.register: unknown field(s) {', '.join(bad)}; allowed: {', '.join(sorted(allowed))}.")
    defaults = dict(params or {})
    # The same input rules as the built-ins: numbers, lists and arrays in, arrays of x's shape and
    # floating dtype out, a TypeError naming the activation for strings, None and complex numbers.
    wrapped_fn, wrapped_grad = _with_array_rules(fn, name), _with_array_rules(grad, f"{name}.grad")

    def build(**bound):
        return dict(fn=wrapped_fn, grad_fn=wrapped_grad, **fields)

    previous = _FACTORIES.get(name)
    _FACTORIES[name] = _Factory(name, build, defaults)
    _DIPS.clear()
    try:
        return get(name)
    except Exception:  # a record that cannot be built (bad fields, no dip to find): leave no trace
        if previous is None:
            del _FACTORIES[name]
        else:
            _FACTORIES[name] = previous
        raise


def _with_array_rules(f, func_name):
    """Wrap a user's ``f(x, **params)`` with the input conversion and dtype rules of actlib.activations."""

    @functools.wraps(f)
    def wrapper(x, *args, **kwargs):
        arr = as_float_array(x, func_name)
        out = np.asarray(f(arr, *args, **kwargs))
        if out.dtype.kind != "f":
            out = out.astype(arr.dtype)
        return A._restore_dtype(out, x, arr)

    return wrapper


def unregister(name) -> None:
    """Remove an activation added with ``register`` (built-ins cannot be removed)."""
    if name in _BUILTIN or name in _ALIASES:
        raise ValueError(f"actlib.unregister: {name!r} is built in and cannot be removed.")
    custom = set(_FACTORIES) - _BUILTIN
    if name not in custom:
        if not custom:
            raise ValueError(f"actlib.unregister: unknown activation {name!r}: no custom activations are registered (see actlib.register).")
        raise unknown_name("actlib.unregister", "custom activation", name, custom)
    del _FACTORIES[name]
    _DIPS.clear()


def describe(name_or_act, **params) -> str:
    """Plain-text property card (handy in a terminal)."""
    return get(name_or_act, **params).card()
