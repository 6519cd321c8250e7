#!/usr/bin/env python
"""Benchmark the course against its performance budgets (DESIGN.md §7) and write a report.

    python tools/benchmark.py                                  # everything (5 to 10 minutes)
    python tools/benchmark.py --only activations               # one section: notebooks, import, explorers, activations
    python tools/benchmark.py --only notebooks --notebooks 01 03
    python tools/benchmark.py --compare tools/baseline.json    # also print the change against a baseline
    python tools/benchmark.py --write-baseline                 # also write tools/baseline.json
    python tools/benchmark.py --readme                         # also refresh README's "## Benchmarks" section
    python tools/benchmark.py --report-only --compare tools/baseline.json   # no run: re-render, compare

It writes ``tools/benchmarks.md`` (a table per section, each budget with PASS/MISS, and the
machine: CPU, cores, versions, date, load average before and after) and ``tools/benchmarks.json``.
A run of one section keeps the other sections of the last run (each section records its own date
and load average). These are benchmarks, not timed tests: they measure, print and record. The
exit status is 1 when a budget is missed or, with ``--compare``, a regression is flagged.

Sections:

* notebooks: every ``notebooks/NN_*.ipynb`` executed top to bottom in a fresh kernel (the
  executor's settings, nothing written back), wall clock including the kernel's start, next to
  its *floor*: a notebook holding only that notebook's setup (its top-level imports and its
  ``actlib.keras()``/``actlib.require()`` calls) in a fresh kernel, run just before it. Peak
  memory is the kernel's own peak resident set (``VmHWM``; ``ru_maxrss`` elsewhere) and CPU
  time its user + system time, read by a cell appended to the in-memory copy.
* import: ``import actlib`` in fresh interpreters, best of 5; TensorFlow must not be loaded.
* explorers: control value change -> new image bytes, median and p95 over at least 50 updates,
  for the activation explorer (``tools/bench_explorer.py``), the hidden-unit explorer, the
  gradient explorer and the playground (when their modules exist).
* activations: every element-wise registry activation and its derivative on 10^6 float32 and
  float64 numbers, best of N, against the fastest plain NumPy/SciPy expression for the same
  function to the same accuracy (``grade``: it agrees with actlib on moderate and on large finite
  input and keeps its relative accuracy in the tails; faster, less accurate expressions are
  reported beside it); softmax on a (1000, 1000) array, its Jacobian on (1000, 32).

The machine is usually shared: every table reports the load average, timings are best-of
(activations, import) or median/p95 (explorers), and the CPU time of the explorers is recorded
next to their wall time.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as _dt
import gc
import importlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
NOTEBOOKS = ROOT / "notebooks"
RESULTS_JSON = TOOLS / "benchmarks.json"
RESULTS_MD = TOOLS / "benchmarks.md"
BASELINE = TOOLS / "baseline.json"
README = ROOT / "README.md"
SECTIONS = ("import", "activations", "explorers", "notebooks")  # the order a full run uses

#: DESIGN.md §7 and the benchmark issue.
BUDGETS = {
    "collection_s": 180.0,  # the whole collection
    "notebook_s": 45.0,  # any notebook
    "keras_notebook_s": 60.0,  # a notebook that calls actlib.keras()
    "collection_over_floor": 3.0,  # whole collection / sum of the floors
    "peak_mib": 1536.0,  # 1.5 GiB per kernel
    "import_s": 1.0,
    "explorer_median_ms": 50.0,
    "explorer_p95_ms": 100.0,
    "activation_ratio": 1.5,  # actlib time / fastest plain NumPy time
}


def _pf(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _loadavg() -> list[float]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux/macOS
        return []


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """What a reader needs to judge the figures: CPU, cores, memory and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        usable = os.cpu_count()
    try:
        import psutil

        memory_gib = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # pragma: no cover
        memory_gib = None
    import actlib

    return {
        "cpu": cpu,
        "cores": usable,
        "memory_gib": memory_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "actlib": actlib.__version__,
        **{name: _version(name) for name in ("numpy", "scipy", "matplotlib", "tensorflow", "keras", "ipywidgets", "ipykernel", "nbclient")},
    }


def _section(name: str, body, **kwargs) -> dict:
    """Run one section's function between two load-average readings."""
    print(f"== {name} ({_now()}, load average {' '.join(map(str, _loadavg()))})", flush=True)
    before, t0 = _loadavg(), time.perf_counter()
    result = body(**kwargs)
    result.update(date=_now(), loadavg_before=before, loadavg_after=_loadavg(), wall_s=round(time.perf_counter() - t0, 1))
    return result


def _summary(times_ms) -> dict:
    arr = np.asarray(times_ms, dtype=float)
    return {
        "n": len(arr),
        "median_ms": round(float(np.median(arr)), 2),
        "p95_ms": round(float(np.percentile(arr, 95)), 2),
        "max_ms": round(float(arr.max()), 2),
    }


# =============================================================================================
# import actlib
_IMPORT_PROBE = (
    "import json, sys, time\n"
    "t0 = time.perf_counter()\n"
    "import actlib\n"
    "t1 = time.perf_counter()\n"
    "print(json.dumps({'s': t1 - t0, 'tensorflow': 'tensorflow' in sys.modules or 'keras' in sys.modules,\n"
    "                  'heavy': sorted(m for m in ('matplotlib', 'ipywidgets', 'scipy', 'pandas', 'sklearn') if m in sys.modules),\n"
    "                  'modules': len(sys.modules), 'file': actlib.__file__}))\n"
)


def bench_import(repeats: int = 5) -> dict:
    """``import actlib`` in ``repeats`` fresh interpreters: best and median in-process time, and the process's wall time."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
        wall = time.perf_counter() - t0
        runs.append({**json.loads(out.stdout.strip().splitlines()[-1]), "process_s": wall})
    import_s = [r["s"] for r in runs]
    tensorflow = any(r["tensorflow"] for r in runs)
    best = min(import_s)
    row = {
        "what": "import actlib",
        "best_s": round(best, 3),
        "median_s": round(float(np.median(import_s)), 3),
        "process_best_s": round(min(r["process_s"] for r in runs), 3),
        "repeats": repeats,
        "tensorflow_imported": tensorflow,
        "also_loaded": runs[0]["heavy"],
        "modules": runs[0]["modules"],
        "from_working_tree": Path(runs[0]["file"]).resolve().is_relative_to(ROOT),
        "pass": best <= BUDGETS["import_s"] and not tensorflow,
    }
    print(f"  import actlib: best {best:.3f} s, median {row['median_s']:.3f} s of {repeats} fresh interpreters "
          f"(whole process {row['process_best_s']:.2f} s); TensorFlow imported: {tensorflow}", flush=True)
    return {"rows": [row]}


# =============================================================================================
# activations against plain NumPy / SciPy
def _plain_catalogue() -> list[tuple[str, str, dict, list]]:
    """(label, registry name, params, [(expression, function), ...]) for f and f' of every activation.

    The expressions are what a careful NumPy user would write for the same function: allocating
    once and working in place where that is faster, and always actlib's own formula written inline.
    ``grade`` sorts them: the budget's baseline is the fastest one as accurate as actlib (tails
    included) that also keeps actlib's contract on ±inf and NaN (NaN in, NaN out) when one does;
    faster ones that are less accurate, or turn NaN into a number, are reported beside it. Python floats keep float32 in
    float32 (NEP 50).
    """
    from scipy import special

    from actlib import activations as A

    expit, ndtr = special.expit, special.ndtr
    la, l_ = A.SELU_LAMBDA * A.SELU_ALPHA, A.SELU_LAMBDA
    c_tanh, c_sig, inv_sqrt_2pi = 2.0 * A.GELU_TANH_C, A.GELU_SIGMOID_C, 1.0 / math.sqrt(2.0 * math.pi)

    def sig_tanh(x):
        t = np.multiply(x, 0.5)
        np.tanh(t, out=t)
        t *= 0.5
        t += 0.5
        return t

    def sig_exp(x):
        e = np.negative(x)
        np.exp(e, out=e)
        e += 1
        return np.reciprocal(e, out=e)

    def dsig_s1s(x):
        s = expit(x)
        return s * (1 - s)

    def dsig_inplace(x):
        s = expit(x)
        t = np.subtract(1, s)
        t *= s
        return t

    def dsig_exp(x):
        e = np.abs(x)
        np.negative(e, out=e)
        np.exp(e, out=e)
        d = e + 1
        d *= d
        e /= d
        return e

    def dsig_cosh(x):
        c = np.multiply(x, 0.5)
        np.cosh(c, out=c)
        c *= c
        return np.divide(0.25, c, out=c)

    def dtanh_1mt2(x):
        t = np.tanh(x)
        t *= t
        return np.subtract(1, t, out=t)

    def dtanh_sech2(x):
        c = np.cosh(x)
        c *= c
        return np.reciprocal(c, out=c)

    def leaky(a):
        def inplace(x):
            t = np.multiply(x, a)
            return np.maximum(x, t, out=t)

        def dstep(x):
            s = np.greater(x, 0).astype(x.dtype)
            s *= 1 - a
            s += a
            return s

        f = [("np.where(x > 0, x, a*x)", lambda x: np.where(x > 0, x, a * x)),
             ("np.maximum(x, a*x)", lambda x: np.maximum(x, a * x)),
             ("t = a*x; np.maximum(x, t, out=t)", inplace)]
        def dstep_nan(x):
            s = dstep(x)
            s[np.isnan(x)] = np.nan
            return s

        g = [("np.where(x > 0, 1, a) (typed)", lambda x: np.where(x > 0, x.dtype.type(1), x.dtype.type(a))),
             ("(x > 0).astype(dtype)*(1 − a) + a", dstep),
             ("(x > 0).astype(dtype)*(1 − a) + a; s[isnan(x)] = nan", dstep_nan)]
        return f, g

    def elu_max(x):
        m = np.minimum(x, 0)
        np.expm1(m, out=m)
        return np.maximum(x, m, out=m)

    def delu_exp(x):
        m = np.minimum(x, 0)
        return np.exp(m, out=m)

    def selu_split(x):
        p = np.maximum(x, 0)
        p *= l_
        m = np.minimum(x, 0)
        np.expm1(m, out=m)
        m *= la
        p += m
        return p

    def dselu_where(x):
        m = np.minimum(x, 0)
        np.exp(m, out=m)
        m *= la
        return np.where(x >= 0, x.dtype.type(l_), m)

    def softplus_inplace(x):
        a = np.abs(x)
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.log1p(a, out=a)
        a += np.maximum(x, 0)
        return a

    def swish_inplace(x):
        s = expit(x)
        s *= x
        return s

    def swish_tanh(x):
        t = sig_tanh(x)
        t *= x
        return t

    def dswish_a(x):
        s = expit(x)
        return s + x * s * (1 - s)

    def dswish_b(x):
        s = expit(x)
        t = np.subtract(1, s)
        t *= x
        t += 1
        t *= s
        return t

    def gelu_inplace(x):
        t = ndtr(x)
        t *= x
        return t

    def gelu_erfc(x):
        t = np.multiply(x, -1 / math.sqrt(2.0))
        special.erfc(t, out=t)
        t *= 0.5
        t *= x
        return t

    def dgelu(x):
        q = np.multiply(x, x)
        q *= -0.5
        np.exp(q, out=q)
        q *= x
        q *= inv_sqrt_2pi
        q += ndtr(x)
        return q

    def gelu_tanh_expit(x):
        u = np.multiply(x, x)
        u *= 0.044715
        u += 1
        u *= x
        u *= c_tanh
        expit(u, out=u)
        u *= x
        return u

    def gelu_tanh_tanh(x):
        u = np.multiply(x, x)
        u *= 0.044715
        u += 1
        u *= x
        u *= 0.5 * c_tanh
        np.tanh(u, out=u)
        u += 1
        u *= 0.5
        u *= x
        return u

    def dgelu_tanh(x):
        xc = np.clip(x, -1e4, 1e4)  # beyond, the derivative is 0 or 1 to machine precision (avoids inf·0)
        q = xc * xc
        u = c_tanh * xc * (1 + 0.044715 * q)
        du = c_tanh * (1 + 3 * 0.044715 * q)
        s = expit(u)
        return s + xc * du * s * (1 - s)

    def dgelu_tanh_t(x):
        xc = np.clip(x, -1e4, 1e4)
        q = xc * xc
        t = np.tanh(0.5 * c_tanh * xc * (1 + 0.044715 * q))
        return 0.5 * (1 + t) + 0.25 * c_tanh * xc * (1 - t * t) * (1 + 3 * 0.044715 * q)

    def gelu_sig(x):
        s = np.multiply(x, c_sig)
        expit(s, out=s)
        s *= x
        return s

    def dgelu_sig(x):
        cx = np.multiply(x, c_sig)
        s = expit(cx)
        t = np.subtract(1, s)
        t *= cx
        t += 1
        t *= s
        return t

    def mish_ratio(x):
        # tanh(softplus(x)) = n/(n + 2), n = e^x (e^x + 2); for x > 20 it is 1 to float64 precision
        e = np.minimum(x, 20)
        np.exp(e, out=e)
        n = e + 2
        n *= e
        d = n + 2
        n /= d
        n *= x
        return n

    def dmish_tanh(x):
        t = np.tanh(softplus_inplace(x))
        return t + x * (1 - t * t) * expit(x)

    def dmish_ratio(x):
        # t = n/(n + 2), 1 − t² = 4(n + 1)/(n + 2)², σ(x) = e/(1 + e); beyond x = 20 mish' is mish'(20) = 1
        xc = np.minimum(x, 20)
        e = np.exp(xc)
        n = e * (e + 2)
        d = n + 2
        g = 4 * (n + 1)
        g /= d * d
        g *= e / (1 + e)
        g *= xc
        g += n / d
        return g

    rl = [("np.maximum(x, 0)", lambda x: np.maximum(x, 0)), ("x * (x > 0)", lambda x: x * (x > 0)),
          ("np.where(x > 0, x, 0)", lambda x: np.where(x > 0, x, 0))]
    def drelu_nan(x):
        s = (x > 0).astype(x.dtype)
        s[np.isnan(x)] = np.nan
        return s

    def ones_nan(x):
        s = np.ones_like(x)
        s[np.isnan(x)] = np.nan
        return s

    drl = [("(x > 0).astype(dtype)", lambda x: (x > 0).astype(x.dtype)), ("np.heaviside(x, 0)", lambda x: np.heaviside(x, 0)),
           ("(x > 0).astype(dtype); s[isnan(x)] = nan", drelu_nan)]
    lk_f, lk_g = leaky(0.01)
    pr_f, pr_g = leaky(0.25)
    sig = [("expit(x)", expit), ("0.5·tanh(x/2) + 0.5 (in place)", sig_tanh), ("1/(1 + exp(−x)) (in place)", sig_exp)]
    return [
        ("linear", "linear", {}, [("x.copy()", lambda x: x.copy())]),
        ("linear'", "linear", {}, [("np.ones_like(x)", np.ones_like), ("np.full_like(x, 1)", lambda x: np.full_like(x, 1)),
                                   ("np.where(x == x, 1, x) (typed)", lambda x: np.where(x == x, x.dtype.type(1), x)),
                                   ("np.ones_like(x); s[isnan(x)] = nan", ones_nan)]),
        ("sigmoid", "sigmoid", {}, sig),
        ("sigmoid'", "sigmoid", {}, [("s*(1 − s), s = expit(x)", dsig_s1s), ("s*(1 − s), s = expit(x) (in place)", dsig_inplace),
                                     ("e/(1 + e)², e = exp(−|x|)", dsig_exp), ("0.25/cosh(x/2)²", dsig_cosh)]),
        ("tanh", "tanh", {}, [("np.tanh(x)", np.tanh)]),
        ("tanh'", "tanh", {}, [("1 − tanh(x)²", dtanh_1mt2), ("1/cosh(x)²", dtanh_sech2)]),
        ("relu", "relu", {}, rl),
        ("relu'", "relu", {}, drl),
        ("leaky_relu", "leaky_relu", {}, lk_f),
        ("leaky_relu'", "leaky_relu", {}, lk_g),
        ("prelu", "prelu", {}, pr_f),
        ("prelu'", "prelu", {}, pr_g),
        ("elu", "elu", {}, [("np.where(x > 0, x, expm1(min(x, 0)))", lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
                            ("max(x, expm1(min(x, 0))) (in place)", elu_max)]),
        ("elu'", "elu", {}, [("exp(min(x, 0)) (in place)", delu_exp),
                             ("np.where(x > 0, 1, exp(min(x, 0)))", lambda x: np.where(x > 0, x.dtype.type(1), np.exp(np.minimum(x, 0))))]),
        ("selu", "selu", {}, [("λ·np.where(x > 0, x, α·expm1(min(x, 0)))", lambda x: l_ * np.where(x > 0, x, A.SELU_ALPHA * np.expm1(np.minimum(x, 0)))),
                              ("λ·max(x, 0) + λα·expm1(min(x, 0)) (in place)", selu_split)]),
        ("selu'", "selu", {}, [("np.where(x >= 0, λ, λα·exp(min(x, 0)))", dselu_where)]),
        ("softplus", "softplus", {}, [("np.logaddexp(0, x)", lambda x: np.logaddexp(0, x)),
                                      ("max(x, 0) + log1p(exp(−|x|)) (in place)", softplus_inplace)]),
        ("softplus'", "softplus", {}, sig),
        ("swish", "swish", {}, [("x * expit(x)", lambda x: x * expit(x)), ("expit(x) *= x", swish_inplace),
                                ("x·(0.5·tanh(x/2) + 0.5)", swish_tanh)]),
        ("swish'", "swish", {}, [("s + x·s·(1 − s)", dswish_a), ("s·(1 + x·(1 − s)) (in place)", dswish_b)]),
        ("gelu", "gelu", {}, [("x * ndtr(x)", lambda x: x * ndtr(x)), ("ndtr(x) *= x", gelu_inplace), ("0.5·x·erfc(−x/√2)", gelu_erfc)]),
        ("gelu'", "gelu", {}, [("ndtr(x) + x·exp(−x²/2)/√(2π) (in place)", dgelu)]),
        ("gelu (tanh)", "gelu", {"approximate": "tanh"}, [("x·expit(2u) (in place)", gelu_tanh_expit),
                                                          ("0.5·x·(1 + tanh(u)) (in place)", gelu_tanh_tanh)]),
        ("gelu (tanh)'", "gelu", {"approximate": "tanh"}, [("σ(2u) + x·2u'·σ(2u)·σ(−2u), x clipped at ±1e4", dgelu_tanh),
                                                           ("0.5(1 + t) + 0.5·x·(1 − t²)·u', t = tanh(u)", dgelu_tanh_t)]),
        ("gelu (sigmoid)", "gelu", {"approximate": "sigmoid"}, [("x·expit(1.702x) (in place)", gelu_sig)]),
        ("gelu (sigmoid)'", "gelu", {"approximate": "sigmoid"}, [("s·(1 + cx·(1 − s)) (in place)", dgelu_sig)]),
        ("mish", "mish", {}, [("x·tanh(logaddexp(0, x))", lambda x: x * np.tanh(np.logaddexp(0, x))),
                              ("x·tanh(max(x, 0) + log1p(exp(−|x|)))", lambda x: x * np.tanh(softplus_inplace(x))),
                              ("x·n/(n + 2), n = eˣ(eˣ + 2), x ≤ 20", mish_ratio)]),
        ("mish'", "mish", {}, [("t + x·(1 − t²)·expit(x), t = tanh(softplus(x))", dmish_tanh),
                               ("n/(n+2) + x·σ(x)·4(n+1)/(n+2)², x ≤ 20", dmish_ratio)]),
    ]


def _softmax_catalogue():
    from scipy import special

    def softmax_plain(x):
        e = x - x.max(axis=-1, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def jac_broadcast(x):
        p = softmax_plain(x)
        return p[..., :, None] * (np.eye(p.shape[-1], dtype=p.dtype) - p[..., None, :])

    def jac_diag(x):
        p = softmax_plain(x)
        jac = -p[..., :, None] * p[..., None, :]
        i = np.arange(p.shape[-1])
        jac[..., i, i] += p
        return jac

    return [
        ("softmax", (1000, 1000), [("scipy.special.softmax(x, axis=-1)", lambda x: special.softmax(x, axis=-1)),
                                   ("e = exp(x − max); e /= sum (in place)", softmax_plain)]),
        ("softmax' (Jacobian)", (1000, 32), [("p[..., :, None]·(I − p[..., None, :])", jac_broadcast),
                                             ("−p pᵀ, diagonal += p", jac_diag)]),
    ]


def _agrees(plain, ref, dtype, *, relative=False) -> str:
    """'' when ``plain`` computes the same numbers as actlib, else why not.

    Default: ``np.isclose`` with tolerances a few float roundings wide (relative 2e-5 / 1e-9,
    absolute 1e-6 / 1e-12 for float32 / float64). ``relative=True``: the relative error must stay
    below 1e-3 / 1e-7 down to the smallest normal number, which is what a stable formula keeps
    in the tails (sigmoid(−80) = 1.8e−35 must not become 0).
    """
    plain = np.asarray(plain)
    if plain.dtype != ref.dtype:
        return f"dtype {plain.dtype}, actlib gives {ref.dtype}"
    if plain.shape != ref.shape:
        return f"shape {plain.shape}"
    f32 = dtype == np.float32
    with np.errstate(all="ignore"):
        if relative:
            err = np.abs(plain.astype(np.float64) - ref)
            ok = (plain == ref) | (err <= (1e-3 if f32 else 1e-7) * np.abs(ref) + np.finfo(dtype).tiny)
        else:
            ok = np.isclose(plain, ref, rtol=2e-5 if f32 else 1e-9, atol=1e-6 if f32 else 1e-12, equal_nan=True)
    if not ok.all():
        i = int(np.argmin(ok))
        return f"{'relative error ' if relative else ''}differs: {plain.flat[i]:.7g} vs actlib {ref.flat[i]:.7g}"
    return ""


def _check_inputs(dtype, x=None):
    """(moderate, large, tails): what the comparison is about; large finite input (actlib's
    contract: no overflow, no NaN); the tails, where a stable formula keeps its relative accuracy.
    For softmax (2-D ``x``): rows of moderate, huge and widely spread scores."""
    if x is not None and x.ndim > 1:
        return x[:50], x[:50] * 100, x[:50] * 10
    rng = np.random.default_rng(1)
    moderate = np.concatenate([np.linspace(-8, 8, 1601), rng.normal(0, 3, 1000), [0.0, -0.0]]).astype(dtype)
    big = np.array([20, 50, 100, 700, 1e4, 1e30], dtype=dtype)
    tails = np.array([10, 15, 20, 30, 50, 80] if dtype == np.float32 else [10, 20, 40, 80, 200, 600], dtype=dtype)
    return moderate, np.concatenate([big, -big]), np.concatenate([tails, -tails])


_EDGE = np.array([np.inf, -np.inf, np.nan])


def grade(fn, act_fn, dtype, x=None) -> tuple[str, str]:
    """("accurate" | "less accurate" | "rejected", why) for a plain expression against actlib's function.

    rejected: differs on moderate input, or on large finite input (overflow, NaN).
    less accurate: right on those, but loses relative accuracy in the tails.
    """
    moderate, large, tails = _check_inputs(dtype, x)
    with np.errstate(all="ignore"):
        why = _agrees(fn(moderate), act_fn(moderate), dtype)
        if why:
            return "rejected", "moderate input: " + why
        why = _agrees(fn(large), act_fn(large), dtype)
        if why:
            return "rejected", "large input: " + why
        why = _agrees(fn(tails), act_fn(tails), dtype, relative=True)
    return ("less accurate", "tails: " + why) if why else ("accurate", "")


def _best_times(funcs, x, repeats):
    """Best-of-``repeats`` seconds per function, calls interleaved (so a burst of load hits them all alike)."""
    best = [math.inf] * len(funcs)
    for f in funcs:
        f(x)  # warm up: caches, lazy imports
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeats):
            order = range(len(funcs)) if r % 2 == 0 else range(len(funcs) - 1, -1, -1)
            for i in order:
                t0 = time.perf_counter()
                funcs[i](x)
                best[i] = min(best[i], time.perf_counter() - t0)
    finally:
        if enabled:
            gc.enable()
    return best


def _sig(v: float) -> float:
    """Four significant digits (a time of 0.002 ms keeps its precision)."""
    return float(f"{v:.4g}")


def _quiet(fn):
    def call(arr):
        with np.errstate(all="ignore"):
            return fn(arr)

    return call


def _compare_row(label, act_fn, candidates, x, repeats):
    """Time actlib and every usable candidate on x.

    The budget's baseline is the fastest *accurate* candidate that also returns what actlib
    returns for ±inf and NaN, if there is one (the same function to the same
    accuracy); the fastest of all usable ones (accurate or less accurate) is recorded beside it.
    """
    dtype = x.dtype.type
    grades = {expr: grade(_quiet(fn), act_fn, dtype, x) for expr, fn in candidates}
    usable = [(expr, fn) for expr, fn in candidates if grades[expr][0] != "rejected"]
    if not any(grades[expr][0] == "accurate" for expr, _ in usable):
        raise RuntimeError(f"benchmark: no plain expression is as accurate as actlib for {label} ({x.dtype}): {grades}")
    times = _best_times([act_fn] + [_quiet(fn) for _, fn in usable], x, repeats)
    act_t = times[0]
    timed = {expr: t for (expr, _), t in zip(usable, times[1:], strict=True)}
    accurate = [e for e, _ in usable if grades[e][0] == "accurate"]
    same_edges = {}
    if x.ndim == 1:  # ±inf and NaN: actlib's contract (NaN in, NaN out) is part of "the same function"
        e = _EDGE.astype(x.dtype)
        with np.errstate(all="ignore"):
            same_edges = {expr: not _agrees(dict(candidates)[expr](e), act_fn(e), dtype) for expr in accurate}
    contract = [expr for expr in accurate if same_edges.get(expr, True)]
    best = min(contract or accurate, key=timed.get)
    any_best = min(timed, key=timed.get)
    edge = ("yes" if same_edges[best] else "no") if same_edges else ""
    if any_best != best and not grades[any_best][1] and not same_edges.get(any_best, True):
        grades[any_best] = (grades[any_best][0], "gives a number for NaN input (actlib returns NaN)")
    ratio = round(act_t / timed[best], 2)  # the PASS/MISS goes with the ratio shown
    return {
        "function": label,
        "dtype": str(x.dtype),
        "shape": list(x.shape),
        "actlib_ms": _sig(act_t * 1e3),
        "plain_ms": _sig(timed[best] * 1e3),
        "ratio": ratio,
        "melem_per_s": round(x.size / act_t / 1e6, 1),
        "plain_expr": best,
        "plain_same_on_inf_nan": edge,
        "fastest_any_expr": any_best,
        "fastest_any_ratio": round(act_t / timed[any_best], 2),
        "fastest_any_why": grades[any_best][1],
        "candidates": {expr: {"grade": g, "why": why, "ms": _sig(timed[expr] * 1e3) if expr in timed else None}
                       for expr, (g, why) in grades.items()},
        "pass": ratio <= BUDGETS["activation_ratio"],
    }


def bench_activations(size: int = 10**6, repeats: int = 15, dtypes=("float32", "float64"), only=None) -> dict:
    """actlib vs the fastest plain expression, for f and f' of every element-wise activation and softmax.

    ``only``: labels to run (e.g. ``["relu", "relu'"]``), for development.
    """
    import actlib

    rng = np.random.default_rng(0)
    base = rng.normal(0.0, 3.0, size)  # half negative: the branches of relu & co. are both taken
    rows = []
    catalogue = _plain_catalogue()
    covered = {name for _, name, _, _ in catalogue}
    missing = sorted(n for n in actlib.names() if actlib.get(n).elementwise and n not in covered)
    for label, name, params, candidates in catalogue:
        if only and label not in only:
            continue
        act = actlib.get(name, **params)
        fn = act.grad if label.endswith("'") else act
        for dtype in dtypes:
            row = _compare_row(label, fn, candidates, base.astype(dtype), repeats)
            rows.append(row)
            _print_activation(row)
    scale = max(1, round(math.sqrt(size / 10**6) * 1000))  # (1000, 1000) at 10^6
    for label, shape, candidates in _softmax_catalogue():
        if only and label not in only:
            continue
        act = actlib.get("softmax")
        fn = act.grad if "'" in label else act
        shape = (scale, shape[1]) if shape[1] != 1000 else (scale, scale)
        for dtype in dtypes:
            x = np.random.default_rng(2).normal(0.0, 3.0, shape).astype(dtype)
            row = _compare_row(label, fn, candidates, x, repeats)
            rows.append(row)
            _print_activation(row)
    notes = [f"no plain expression written for {', '.join(missing)}: add them to _plain_catalogue"] if missing else []
    return {"size": size, "repeats": repeats, "rows": rows, "notes": notes}


def _print_activation(r):
    extra = f"; less accurate {r['fastest_any_ratio']:.2f}× ({r['fastest_any_expr']})" if r["fastest_any_expr"] != r["plain_expr"] else ""
    print(f"  {r['function']:<19} {r['dtype']:<8} actlib {r['actlib_ms']:8.3f} ms  plain {r['plain_ms']:8.3f} ms  "
          f"ratio {r['ratio']:5.2f}  {_pf(r['pass'])}  ({r['plain_expr']}{extra})", flush=True)


# =============================================================================================
# explorers
def _timed_updates(actions, apply, image, updates, warmup=5):
    """Apply actions until ``updates`` have been timed (after ``warmup``): wall and CPU ms until new image bytes are there.

    ``apply(action)`` changes a control and returns True, False when the control already had
    that value (no update), or an error message when the explorer showed an error instead of a
    new frame (counted, not timed).
    """
    wall, cpu, errors, done = [], [], [], 0
    for action in actions:
        before = image()
        c0, t0 = time.process_time(), time.perf_counter()
        ok = apply(action)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if ok is False:
            continue
        if isinstance(ok, str):
            errors.append(f"{action}: {ok}")
            continue
        if image() == before:
            raise RuntimeError(f"benchmark: update {action} produced no new image")
        done += 1
        if done > warmup:
            wall.append(dt * 1e3)
            cpu.append(dc * 1e3)
        if len(wall) >= updates:
            return wall, cpu, errors
    raise RuntimeError(f"benchmark: only {len(wall)} of {updates} updates timed (errors: {errors[:3]})")


def _explorer_row(name, wall, cpu, note="", errors=()):
    s = _summary(wall)
    return {
        "explorer": name,
        "updates": s["n"],
        "median_ms": s["median_ms"],
        "p95_ms": s["p95_ms"],
        "max_ms": s["max_ms"],
        "cpu_median_ms": round(float(np.median(cpu)), 2),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 2),
        "note": note,
        "errors": len(errors),
        "first_errors": list(errors[:3]),
        "pass": s["median_ms"] <= BUDGETS["explorer_median_ms"] and s["p95_ms"] <= BUDGETS["explorer_p95_ms"],
    }


def _slider_walk(rng, lo, hi, step, n):
    """A drag: n values in a row, a small random walk snapped to the slider's step."""
    v = rng.uniform(lo, hi)
    out = []
    for _ in range(n):
        v = min(max(v + rng.normal(0, (hi - lo) / 20), lo), hi)
        out.append(round(round(v / step) * step, 10))
    return out


def _set_control(control, value):
    if control.value == value:
        return False
    control.value = value
    return True


def bench_activation_explorer(updates):
    sys.path.insert(0, str(TOOLS))
    import bench_explorer  # the existing benchmark's own update sequence and checks

    wall, cpu, _, _ = bench_explorer.bench_widget(updates + updates // 5)  # some actions repeat a value: no update
    if len(wall) < updates:
        raise RuntimeError(f"benchmark: bench_explorer timed only {len(wall)} updates")
    return _explorer_row("activation explorer (02–04)", wall[:updates], cpu[:updates],
                         "tools/bench_explorer.py sequence: activations, comparisons, parameter drags")


def bench_hidden_unit_explorer(updates):
    from actlib import data, widgets

    X, y = data.xor()  # notebook 01's hand-set XOR network
    ex = widgets.hidden_unit_explorer(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0, X, y,
                                      unit=1, activation="relu")
    rng = np.random.default_rng(0)

    def actions():
        while True:
            for key in ("w1", "w2", "b"):
                s = ex.sliders[key]
                yield from ((key, v) for v in _slider_walk(rng, s.min, s.max, s.step, 8))

    wall, cpu, errors = _timed_updates(actions(), lambda a: _set_control(ex.sliders[a[0]], a[1]), lambda: ex.image.value, updates)
    return _explorer_row("hidden-unit explorer (01)", wall, cpu, "drags of w₁, w₂, b of the XOR network's unit 2", errors)


def bench_gradient_explorer(updates):
    ge = importlib.import_module("actlib.gradient_explorer")
    w = ge.gradient_explorer("sigmoid")
    names, inits = list(w.activation.options), list(w.init.options)
    rng = np.random.default_rng(0)

    def actions():
        i = 0
        while True:
            i += 1
            yield from (("scale", float(10.0**e)) for e in _slider_walk(rng, w.scale.min, w.scale.max, w.scale.step, 6))
            yield from (("depth", round(d)) for d in _slider_walk(rng, w.depth.min, w.depth.max, 1, 4))
            yield ("activation", names[i % len(names)])
            if i % 2 == 0:
                yield ("init", inits[(i // 2) % len(inits)])

    def apply(action):
        n = w.n_updates
        if not _set_control(getattr(w, action[0]), action[1]):
            return False
        if w.n_updates != n + 1:
            return (w.state.error if w.state else "") or "no redraw"
        return True

    wall, cpu, errors = _timed_updates(actions(), apply, lambda: w.image.value, updates)
    return _explorer_row("gradient explorer (06)", wall, cpu,
                         "weight-scale and depth drags (depth 2–60), activation and initializer changes", errors)


def bench_playground(updates, frames):
    """Notebook 11's playground: control change → new frame, and training frames per second."""
    if importlib.util.find_spec("actlib.playground") is None:
        return [], ["playground (11): not yet available (actlib/playground.py does not exist)"]
    pg_mod = importlib.import_module("actlib.playground")
    w = pg_mod.playground()
    rng = np.random.default_rng(0)
    live = ("lr", "batch_size", "regularization", "reg_rate")
    structure = ("dataset", "activation", "depth", "width", "init", "noise")

    def options(control):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]

    def actions():
        while True:
            for key in structure + live:
                control = getattr(w, key)
                if hasattr(control, "options"):
                    yield key, options(control)[int(rng.integers(len(control.options)))]
                elif isinstance(control.value, int):
                    yield key, int(rng.integers(control.min, control.max + 1))
                else:
                    yield from ((key, v) for v in _slider_walk(rng, control.min, control.max, control.step, 3))

    def apply(action):
        control = getattr(w, action[0])
        before = w.message.value
        if not _set_control(control, action[1]):
            return False
        if w.message.value and w.message.value != before:
            return w.message.value
        return True

    rows, notes = [], []
    w.session.step(5)
    # a new frame is drawn on every change; the learning rate etc. do not change the picture before training, so count frames
    wall, cpu, errors = _timed_updates(actions(), apply, lambda: w.frames, updates)
    rows.append(_explorer_row("playground controls (11)", wall, cpu,
                              "data set, activation, depth, width, initializer, noise, learning rate, batch, regularisation", errors))
    if callable(getattr(w, "benchmark", None)):
        w.benchmark(5)  # warm up
        c0 = time.process_time()
        fps = w.benchmark(frames)
        cpu_frame = (time.process_time() - c0) * 1e3 / frames
        rows.append({"explorer": "playground training (11)", "updates": fps["frames"], "fps": round(fps["fps"], 1),
                     "median_ms": round(fps["ms_per_frame"], 2), "ms_step": round(fps["ms_step"], 2), "ms_draw": round(fps["ms_draw"], 2),
                     "cpu_mean_ms": round(cpu_frame, 2),
                     "note": f"PlaygroundWidget.benchmark({frames}): one training step + redraw + image per frame (step {fps['ms_step']:.1f} ms, "
                             f"draw {fps['ms_draw']:.1f} ms)", "pass": None})
    else:
        notes.append("playground (11): PlaygroundWidget has no benchmark(); training frames per second not measured")
    return rows, notes


def bench_explorers(updates: int = 100, frames: int = 60) -> dict:
    if updates < 50:
        raise ValueError("bench_explorers: at least 50 updates per explorer")
    rows, notes = [], []
    benches = [("activation explorer", bench_activation_explorer, "actlib.explorer"),
               ("hidden-unit explorer (01)", bench_hidden_unit_explorer, "actlib.widgets"),
               ("gradient explorer (06)", bench_gradient_explorer, "actlib.gradient_explorer")]
    for name, bench, module in benches:
        if importlib.util.find_spec(module) is None:
            notes.append(f"{name}: skipped, {module} does not exist yet")
            continue
        try:
            rows.append(bench(updates))
            _print_explorer(rows[-1])
        except Exception as exc:  # a module being written: record it, go on with the others
            notes.append(f"{name}: not measured, {type(exc).__name__}: {exc}")
    try:
        pg_rows, pg_notes = bench_playground(updates, frames)
        rows += pg_rows
        notes += pg_notes
        for r in pg_rows:
            _print_explorer(r)
    except Exception as exc:
        notes.append(f"playground (11): not measured, {type(exc).__name__}: {exc}")
    for r in rows:
        if r.get("errors"):
            notes.append(f"{r['explorer']}: {r['errors']} update(s) showed an error instead of a new frame (not timed), e.g. {r['first_errors'][0]}")
    for n in notes:
        print("  " + n)
    return {"updates": updates, "rows": rows, "notes": notes}


def _print_explorer(r):
    if "fps" in r:
        print(f"  {r['explorer']:<30} n={r['updates']:<4} {r['fps']:.1f} frames/s ({r['median_ms']:.1f} ms per frame: "
              f"step {r['ms_step']:.1f} ms, draw {r['ms_draw']:.1f} ms)", flush=True)
        return
    print(f"  {r['explorer']:<30} n={r['updates']:<4} median {r['median_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
          f"(CPU median {r['cpu_median_ms']:.1f} ms)  {_pf(r['pass'])}", flush=True)


# =============================================================================================
# notebooks
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in kernel tracebacks
_SETUP_CALLS = {"actlib.keras", "actlib.tensorflow", "actlib.require"}
_MEMORY_CELL = (
    "import json as _bench_json, os as _bench_os, resource as _bench_resource, sys as _bench_sys\n"
    "_bench_use = _bench_resource.getrusage(_bench_resource.RUSAGE_SELF)\n"
    "_bench_peak = _bench_use.ru_maxrss / (2**20 if _bench_sys.platform == 'darwin' else 2**10)  # bytes on macOS, KiB on Linux\n"
    "if _bench_os.path.exists('/proc/self/status'):  # Linux: VmHWM is this process's own peak; ru_maxrss also\n"
    "    with open('/proc/self/status') as _bench_f:  # counts the launcher's RSS, inherited through fork and exec\n"
    "        _bench_peak = next((int(l.split()[1]) / 2**10 for l in _bench_f if l.startswith('VmHWM:')), _bench_peak)\n"
    "print('BENCHMARK ' + _bench_json.dumps({'peak_mib': _bench_peak, 'cpu_s': _bench_use.ru_utime + _bench_use.ru_stime}))\n"
)


def setup_source(nb) -> str:
    """The setup a notebook cannot do without: its top-level imports and its actlib.keras()/require() calls, in order."""
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        src = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            keep = isinstance(node, (ast.Import, ast.ImportFrom))
            if isinstance(node, (ast.Assign, ast.Expr)) and isinstance(node.value, ast.Call):
                keep = ast.unparse(node.value.func) in _SETUP_CALLS
            segment = ast.get_source_segment(src, node)
            if keep and segment not in lines:
                lines.append(segment)
    return "\n".join(lines)


def uses_keras(nb) -> bool:
    return any(cell.cell_type == "code" and "actlib.keras(" in cell.source for cell in nb.cells)


def run_kernel(nb, cwd: Path, timeout: int = 600) -> dict:
    """Execute an in-memory copy of ``nb`` in a fresh kernel, as the executor does; nothing is written."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    sys.path.insert(0, str(TOOLS))
    import execute_notebooks

    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(_MEMORY_CELL))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                            store_widget_state=False, record_timing=False)
    t0 = time.perf_counter()
    try:
        client.execute()
        found = []
    except CellExecutionError as exc:
        message = _ANSI.sub("", str(exc)).strip().splitlines()
        found = [f"execution failed: {message[-1][:300] if message else type(exc).__name__}"]
    seconds = time.perf_counter() - t0
    memory = {}
    for out in nb.cells[-1].get("outputs", []):
        if out.get("name") == "stdout" and "BENCHMARK " in out.get("text", ""):
            memory = json.loads(out["text"].split("BENCHMARK ", 1)[1])
    nb.cells.pop()
    if not found:
        found = execute_notebooks.problems(nb)
    return {"seconds": seconds, "peak_mib": memory.get("peak_mib"), "cpu_s": memory.get("cpu_s"), "problems": found}


def notebook_paths(selected=None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if selected:
        paths = [p for p in paths if any(p.name.startswith(s) or p.stem == s for s in selected)]
    return paths


def bench_notebooks(selected=None, timeout: int = 600) -> dict:
    import nbformat

    os.environ.setdefault("PYTHONHASHSEED", "0")  # the executor's settings
    os.environ.pop("MPLBACKEND", None)
    paths = notebook_paths(selected)
    if not paths:
        raise SystemExit(f"benchmark: no notebooks match {selected}")
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        keras = uses_keras(nb)
        floor_nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
        floor_nb.cells.append(nbformat.v4.new_code_cell(setup_source(nb)))
        floor = run_kernel(floor_nb, path.parent, timeout)  # the floor first, right before the notebook
        run = run_kernel(nb, path.parent, timeout)
        limit = BUDGETS["keras_notebook_s"] if keras else BUDGETS["notebook_s"]
        peak = run["peak_mib"]
        row = {
            "notebook": path.name,
            "keras": keras,
            "seconds": round(run["seconds"], 2),
            "cpu_s": round(run["cpu_s"], 1) if run["cpu_s"] is not None else None,
            "floor_seconds": round(floor["seconds"], 2),
            "over_floor": round(run["seconds"] / floor["seconds"], 2),
            "peak_mib": round(peak, 1) if peak is not None else None,
            "floor_peak_mib": round(floor["peak_mib"], 1) if floor["peak_mib"] is not None else None,
            "budget_s": limit,
            "status": "ok" if not run["problems"] else "FAILED: " + "; ".join(run["problems"])[:300],
            "floor_status": "ok" if not floor["problems"] else "FAILED: " + "; ".join(floor["problems"])[:300],
            "pass": run["seconds"] <= limit and (peak is None or peak <= BUDGETS["peak_mib"]) and not run["problems"],
        }
        rows.append(row)
        print(f"  {path.name:<34} {row['seconds']:6.1f} s (kernel CPU {row['cpu_s'] or 0:5.1f} s)  floor {row['floor_seconds']:5.1f} s  "
              f"peak {row['peak_mib'] or 0:6.0f} MiB  {'keras ' if keras else ''}{row['status'][:60]}  {_pf(row['pass'])}", flush=True)
    total = sum(r["seconds"] for r in rows)
    floor_total = sum(r["floor_seconds"] for r in rows)
    summary = {
        "notebooks": len(rows),
        "total_s": round(total, 1),
        "floor_total_s": round(floor_total, 1),
        "cpu_total_s": round(sum(r["cpu_s"] for r in rows), 1) if all(r["cpu_s"] is not None for r in rows) else None,
        "over_floor": round(total / floor_total, 2),
        "slowest": max(rows, key=lambda r: r["seconds"])["notebook"],
        "slowest_s": max(r["seconds"] for r in rows),
        "max_peak_mib": max((r["peak_mib"] or 0) for r in rows),
        "max_peak_notebook": max(rows, key=lambda r: r["peak_mib"] or 0)["notebook"],
        "failed": [r["notebook"] for r in rows if r["status"] != "ok"],
        "all_notebooks": selected is None,
    }
    print(f"  collection: {total:.1f} s, floor {floor_total:.1f} s ({summary['over_floor']:.2f}×)", flush=True)
    notes = [] if selected is None else [f"only notebooks {' '.join(selected)}: the collection budgets apply to a full run"]
    return {"rows": rows, "summary": summary, "notes": notes}


# =============================================================================================
# budgets, report, comparison
def evaluate_budgets(results: dict) -> list[dict]:
    """One row per budget: what, limit, measured (with where), PASS/MISS (None when not measured)."""
    out = []
    s = results.get("sections", {})
    nbs = s.get("notebooks")
    if nbs:
        sm, rows = nbs["summary"], nbs["rows"]
        full = sm.get("all_notebooks", True)
        out.append({"budget": "whole collection", "limit": f"≤ {BUDGETS['collection_s']:.0f} s",
                    "measured": f"{sm['total_s']:.1f} s ({sm['notebooks']} notebook{'s' if sm['notebooks'] != 1 else ''}){'' if full else ', a subset'}",
                    "pass": sm["total_s"] <= BUDGETS["collection_s"] if full else None})
        for keras in (False, True):
            sel = [r for r in rows if r["keras"] == keras]
            if sel:
                worst = max(sel, key=lambda r: r["seconds"])
                limit = BUDGETS["keras_notebook_s" if keras else "notebook_s"]
                out.append({"budget": "slowest Keras notebook" if keras else "slowest notebook without Keras", "limit": f"≤ {limit:.0f} s",
                            "measured": f"{worst['seconds']:.1f} s ({worst['notebook']})", "pass": all(r["seconds"] <= limit for r in sel)})
        out.append({"budget": "collection / floor (same run)", "limit": f"≤ {BUDGETS['collection_over_floor']:g}×",
                    "measured": f"{sm['over_floor']:.2f}× ({sm['total_s']:.1f} s / {sm['floor_total_s']:.1f} s){'' if full else ', a subset'}",
                    "pass": sm["over_floor"] <= BUDGETS["collection_over_floor"] if full else None})
        out.append({"budget": "peak memory of a kernel", "limit": f"≤ {BUDGETS['peak_mib'] / 1024:g} GiB",
                    "measured": f"{sm['max_peak_mib']:.0f} MiB ({sm['max_peak_notebook']})", "pass": sm["max_peak_mib"] <= BUDGETS["peak_mib"]})
        if sm["failed"]:
            out.append({"budget": "every notebook executes", "limit": "no error, no stderr", "measured": "failed: " + ", ".join(sm["failed"]),
                        "pass": False})
    imp = s.get("import")
    if imp:
        r = imp["rows"][0]
        out.append({"budget": "import actlib", "limit": f"≤ {BUDGETS['import_s']:g} s, no TensorFlow",
                    "measured": f"{r['best_s']:.3f} s best of {r['repeats']}; TensorFlow {'imported' if r['tensorflow_imported'] else 'not imported'}",
                    "pass": r["pass"]})
    ex = s.get("explorers")
    if ex and ex["rows"]:
        timed = [r for r in ex["rows"] if "p95_ms" in r]
        med = max(timed, key=lambda r: r["median_ms"])
        p95 = max(timed, key=lambda r: r["p95_ms"])
        out.append({"budget": "explorer update, median (worst explorer)", "limit": f"≤ {BUDGETS['explorer_median_ms']:.0f} ms",
                    "measured": f"{med['median_ms']:.1f} ms ({med['explorer']})", "pass": med["median_ms"] <= BUDGETS["explorer_median_ms"]})
        out.append({"budget": "explorer update, p95 (worst explorer)", "limit": f"≤ {BUDGETS['explorer_p95_ms']:.0f} ms",
                    "measured": f"{p95['p95_ms']:.1f} ms ({p95['explorer']})", "pass": p95["p95_ms"] <= BUDGETS["explorer_p95_ms"]})
        pg = [r for r in ex["rows"] if "fps" in r]
        out.append({"budget": "playground training frames/s", "limit": "(reported, no budget)",
                    "measured": f"{pg[0]['fps']:.0f} frames/s ({pg[0]['median_ms']:.1f} ms per step + frame)" if pg else "not yet available",
                    "pass": None})
    act = s.get("activations")
    if act and act["rows"]:
        worst = max(act["rows"], key=lambda r: r["ratio"])
        misses = [r for r in act["rows"] if not r["pass"]]
        out.append({"budget": "activation vs plain NumPy (worst)", "limit": f"≤ {BUDGETS['activation_ratio']:g}×",
                    "measured": f"{worst['ratio']:.2f}× ({worst['function']}, {worst['dtype']}); {len(misses)} of {len(act['rows'])} over",
                    "pass": not misses})
    return out


def _md_table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def _load(sec) -> str:
    return f"{sec['date']}; load average (1, 5, 15 min) {' '.join(map(str, sec['loadavg_before']))} before, {' '.join(map(str, sec['loadavg_after']))} after; {sec['wall_s']:.0f} s"


def _num(value, spec) -> str:
    return "?" if value is None else format(value, spec)


def _notes(sec) -> list[str]:
    return ["", *(f"- {n}" for n in sec["notes"])] if sec.get("notes") else []


def _result(ok) -> str:
    return "—" if ok is None else _pf(ok)


def render_markdown(results: dict) -> str:
    m, s = results["machine"], results["sections"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python tools/benchmark.py` (see its docstring for the options); the numbers are also in",
        "`tools/benchmarks.json`. Budgets: DESIGN.md §7. Compare with the committed baseline:",
        "`python tools/benchmark.py --compare tools/baseline.json`.",
        "",
        f"**Machine.** {m['cpu']}, {m['cores']} cores (shared with other users while measuring), {m['memory_gib']} GiB; {m['platform']}.",
        f"Python {m['python']}, NumPy {m['numpy']}, SciPy {m['scipy']}, Matplotlib {m['matplotlib']}, TensorFlow {m['tensorflow']},",
        f"Keras {m['keras']}, ipywidgets {m['ipywidgets']}, ipykernel {m['ipykernel']}, nbclient {m['nbclient']}, actlib {m['actlib']}.",
        "",
        "## Budgets",
        "",
    ]
    lines += _md_table(["budget", "limit", "measured", "result"],
                       [(b["budget"], b["limit"], b["measured"], _result(b["pass"])) for b in evaluate_budgets(results)])
    if "notebooks" in s:
        sec = s["notebooks"]
        sm = sec["summary"]
        lines += ["", "## Notebooks", "", _load(sec) + ".", "",
                  "Each notebook runs top to bottom in a fresh kernel (wall clock, kernel start included); its *floor* is a notebook",
                  "with only its setup (top-level imports, `actlib.keras()`/`actlib.require()`) run in a fresh kernel just before it.",
                  "Kernel CPU: the kernel process's user + system seconds, all threads (TensorFlow uses several); wall time well above it",
                  "means waiting for the shared cores. Peak memory: the kernel process's own peak resident set (`VmHWM`).", ""]
        lines += _md_table(["notebook", "Keras", "seconds", "kernel CPU s", "floor s", "× floor", "peak MiB", "floor peak MiB", "budget", "status",
                            "result"],
                           [(r["notebook"], "yes" if r["keras"] else "", f"{r['seconds']:.1f}", _num(r.get("cpu_s"), ".1f"),
                             f"{r['floor_seconds']:.1f}", f"{r['over_floor']:.2f}",
                             f"{r['peak_mib']:.0f}" if r["peak_mib"] is not None else "?", f"{r['floor_peak_mib']:.0f}" if r["floor_peak_mib"] is not None else "?",
                             f"≤ {r['budget_s']:.0f} s", r["status"], _pf(r["pass"])) for r in sec["rows"]]
                           + [("**collection**", "", f"**{sm['total_s']:.1f}**", _num(sm.get("cpu_total_s"), ".1f"), f"**{sm['floor_total_s']:.1f}**", f"**{sm['over_floor']:.2f}**",
                               f"{sm['max_peak_mib']:.0f} (max)", "", f"≤ {BUDGETS['collection_s']:.0f} s, ≤ {BUDGETS['collection_over_floor']:g}× floor",
                               "", _result(None if not sm.get("all_notebooks", True) else
                                           sm["total_s"] <= BUDGETS["collection_s"] and sm["over_floor"] <= BUDGETS["collection_over_floor"]))])
        lines += _notes(sec)
    if "import" in s:
        sec = s["import"]
        r = sec["rows"][0]
        lines += ["", "## import actlib", "", _load(sec) + ".", ""]
        lines += _md_table(["what", "best s", "median s", "whole process s", "TensorFlow imported", "also loaded", "modules", "budget", "result"],
                           [(f"`{r['what']}` ({r['repeats']} fresh interpreters)", f"{r['best_s']:.3f}", f"{r['median_s']:.3f}", f"{r['process_best_s']:.2f}",
                             "yes" if r["tensorflow_imported"] else "no", ", ".join(r["also_loaded"]) or "—", r["modules"],
                             f"≤ {BUDGETS['import_s']:g} s", _pf(r["pass"]))])
    if "explorers" in s:
        sec = s["explorers"]
        lines += ["", "## Explorers", "", _load(sec) + ".", "",
                  "Control `.value` set from Python (as the frontend does) → new image bytes in the widget (observers run synchronously);",
                  "sending the image to the browser is not included. CPU = the process's CPU time per update (wall time minus waiting for the shared cores).",
                  ""]
        lines += _md_table(["explorer", "updates", "median ms", "p95 ms", "max ms", "CPU median ms", "CPU p95 ms", "what moves", "result"],
                           [(r["explorer"], r["updates"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['cpu_median_ms']:.1f}",
                             f"{r['cpu_p95_ms']:.1f}", r["note"], _pf(r["pass"])) for r in sec["rows"] if "p95_ms" in r])
        for r in sec["rows"]:
            if "fps" in r:
                lines += ["", f"**{r['explorer']}**: {r['fps']:.1f} frames per second ({r['median_ms']:.1f} ms per frame, median of {r['updates']}: "
                          f"training step {r['ms_step']:.1f} ms, redraw and JPEG {r['ms_draw']:.1f} ms). No budget; the training thread is capped at 30 frames/s."]
        lines.append("")
        lines.append(f"Budget: median ≤ {BUDGETS['explorer_median_ms']:.0f} ms and p95 ≤ {BUDGETS['explorer_p95_ms']:.0f} ms.")
        lines += _notes(sec)
    if "activations" in s:
        sec = s["activations"]
        lines += ["", "## Activations vs plain NumPy/SciPy", "", _load(sec) + ".", "",
                  f"10^{round(math.log10(sec['size']))} elements drawn from N(0, 3²) (softmax: rows of a 2-D array), best of {sec['repeats']} interleaved",
                  "calls each. Candidates: the plain expressions in `_plain_catalogue` of `tools/benchmark.py`, always including actlib's own",
                  "formula written inline. *plain* is the fastest that is as accurate as actlib: it agrees on moderate input",
                  "(|x| ≤ 8), on large finite input (±20 … ±1e30: no overflow, no NaN) and keeps its relative accuracy in the tails",
                  "(sigmoid(−80) = 1.8e−35 must not become 0). *±inf/NaN*: it also gives actlib's limits for ±inf and propagates NaN;",
                  "when some candidate does, the fastest such one is the baseline (NaN in, NaN out is part of actlib's contract).",
                  "Ratio = actlib / plain, budget ≤ 1.5×. Last column: the fastest expression that agrees on moderate and large input",
                  "but loses accuracy in the tails, where one is faster.", ""]
        lines += _md_table(["function", "dtype", "actlib ms", "M elem/s", "plain ms", "ratio", "fastest accurate plain expression", "±inf/NaN",
                            "result", "faster, less accurate"],
                           [(f"{r['function']}" + (f" {tuple(r['shape'])}" if len(r["shape"]) > 1 else ""), r["dtype"], f"{r['actlib_ms']:.3f}",
                             f"{r['melem_per_s']:.0f}", f"{r['plain_ms']:.3f}", f"{r['ratio']:.2f}", f"`{r['plain_expr']}`",
                             r["plain_same_on_inf_nan"] or "—", _pf(r["pass"]),
                             f"{r['fastest_any_ratio']:.2f}× `{r['fastest_any_expr']}`" if r["fastest_any_expr"] != r["plain_expr"] else "")
                            for r in sec["rows"]])
        lines += _notes(sec)
    return "\n".join(lines) + "\n"


def readme_section(results: dict) -> str:
    """The short "## Benchmarks" section for README.md."""
    m = results["machine"]
    dates = sorted(sec["date"] for sec in results["sections"].values())
    loads = [sec["loadavg_before"][0] for sec in results["sections"].values()] + [sec["loadavg_after"][0] for sec in results["sections"].values()]
    lines = [
        "## Benchmarks",
        "",
        f"Measured on {dates[-1][:10]} with `python tools/benchmark.py` on {m['cpu']}, {m['cores']} cores (shared: 1-minute load",
        f"average {min(loads):g} to {max(loads):g}), Python {m['python']}, NumPy {m['numpy']}, TensorFlow {m['tensorflow']}. Full tables:",
        "[tools/benchmarks.md](tools/benchmarks.md); to see a regression, `python tools/benchmark.py --compare tools/baseline.json`.",
        "",
    ]
    lines += _md_table(["budget (DESIGN.md §7)", "limit", "measured", "result"],
                       [(b["budget"], b["limit"], b["measured"], _result(b["pass"])) for b in evaluate_budgets(results)])
    return "\n".join(lines) + "\n"


def update_readme(section: str, path: Path = README) -> None:
    """Replace README's "## Benchmarks" section (up to the next "## " heading), or append it at the end."""
    text = path.read_text()
    start = text.find("\n## Benchmarks\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[: start + 1] + section + ("\n" + text[end + 1:] if end >= 0 else "")
    path.write_text(text)


def flat_metrics(results: dict) -> dict[str, tuple[float, str]]:
    """name → (value, unit) for everything where larger is worse."""
    out = {}
    s = results.get("sections", {})
    for r in s.get("notebooks", {}).get("rows", []):
        out[f"notebook {r['notebook']}"] = (r["seconds"], "s")
        if r["peak_mib"] is not None:
            out[f"notebook {r['notebook']} peak"] = (r["peak_mib"], "MiB")
    if "notebooks" in s and s["notebooks"]["summary"].get("all_notebooks", True):
        sm = s["notebooks"]["summary"]
        out["collection"] = (sm["total_s"], "s")
        out["collection / floor"] = (sm["over_floor"], "×")
    for r in s.get("import", {}).get("rows", []):
        out["import actlib"] = (r["best_s"], "s")
    for r in s.get("explorers", {}).get("rows", []):
        if "fps" in r:
            out[f"{r['explorer']} ms per frame"] = (r["median_ms"], "ms")
            continue
        out[f"{r['explorer']} median"] = (r["median_ms"], "ms")
        out[f"{r['explorer']} p95"] = (r["p95_ms"], "ms")
    for r in s.get("activations", {}).get("rows", []):
        key = f"{r['function']} {r['dtype']}"
        out[f"{key} actlib"] = (r["actlib_ms"], "ms")
        out[f"{key} ratio"] = (r["ratio"], "×")
    return out


#: a change smaller than this is noise, whatever its percentage
NOISE = {"s": 0.5, "ms": 0.5, "×": 0.15, "MiB": 25.0}


def compare(new: dict, old: dict, threshold: float = 0.25) -> list[dict]:
    """Metric by metric: old, new, change; ``regression`` when more than ``threshold`` worse (and beyond noise)."""
    a, b = flat_metrics(old), flat_metrics(new)
    rows = []
    for key in sorted(set(a) & set(b), key=list(b).index):
        (va, unit), (vb, _) = a[key], b[key]
        change = (vb - va) / va if va else 0.0
        rows.append({"metric": key, "unit": unit, "baseline": va, "now": vb, "change": change,
                     "regression": change > threshold and vb - va > NOISE[unit]})
    for key in sorted(set(b) - set(a)):
        rows.append({"metric": key, "unit": b[key][1], "baseline": None, "now": b[key][0], "change": None, "regression": False})
    return rows


def print_comparison(rows, threshold, old) -> int:
    """Print what changed by more than 10 % (beyond noise), regressions flagged; return their number."""
    loads = "; ".join(f"{k} {v['loadavg_before'][0]:g}" for k, v in old.get("sections", {}).items())
    print(f"\n== change against the baseline of {old.get('machine', {}).get('cpu', '?')} (1-minute load then: {loads})")
    print(f"   regression: more than {threshold:.0%} worse and beyond noise ({', '.join(f'{v:g} {k}' for k, v in NOISE.items())})")
    shown = 0
    for r in rows:
        if r["baseline"] is None:
            print(f"  {r['metric']:<52} {'(new)':>10} {r['now']:>10.3f} {r['unit']}")
            continue
        if abs(r["change"]) < 0.10 or abs(r["now"] - r["baseline"]) <= NOISE[r["unit"]]:
            continue
        shown += 1
        flag = "  REGRESSION" if r["regression"] else ("  better" if r["change"] < 0 else "")
        print(f"  {r['metric']:<52} {r['baseline']:>10.3f} {r['now']:>10.3f} {r['unit']:<3} {r['change']:+7.0%}{flag}")
    n = sum(r["regression"] for r in rows)
    print(f"  {n} regression(s); {shown} of {len(rows)} metrics changed by more than 10 % beyond noise")
    return n


# =============================================================================================
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=SECTIONS, help="run these sections; the others are kept from the last run")
    ap.add_argument("--notebooks", nargs="+", metavar="NN", help="only these notebooks (number prefixes, e.g. 01 03)")
    ap.add_argument("--compare", type=Path, metavar="BASELINE", help="print the change against a baseline JSON and flag regressions")
    ap.add_argument("--threshold", type=float, default=0.25, help="a regression is this much worse than the baseline (default 0.25)")
    ap.add_argument("--write-baseline", action="store_true", help=f"also write {BASELINE.relative_to(ROOT)}")
    ap.add_argument("--readme", action="store_true", help="also refresh the '## Benchmarks' section at the end of README.md")
    ap.add_argument("--report-only", action="store_true", help="run nothing: re-render the report from tools/benchmarks.json")
    ap.add_argument("--size", type=int, default=10**6, help="elements per activation call (default 10^6)")
    ap.add_argument("--repeats", type=int, default=15, help="best of this many calls per activation (default 15)")
    ap.add_argument("--updates", type=int, default=100, help="timed updates per explorer (at least 50, default 100)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell (default 600)")
    args = ap.parse_args(argv)

    previous = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    if args.report_only:
        if not previous:
            ap.error(f"--report-only: {RESULTS_JSON.relative_to(ROOT)} does not exist yet")
        results = previous
    else:
        sections = args.only or (["notebooks"] if args.notebooks else list(SECTIONS))
        results = {"machine": machine_info(), "sections": dict(previous.get("sections", {}))}
        runners = {
            "import": (bench_import, {}),
            "activations": (bench_activations, {"size": args.size, "repeats": args.repeats}),
            "explorers": (bench_explorers, {"updates": args.updates}),
            "notebooks": (bench_notebooks, {"selected": args.notebooks, "timeout": args.timeout}),
        }
        for name in SECTIONS:
            if name in sections:
                fn, kwargs = runners[name]
                results["sections"][name] = _section(name, fn, **kwargs)
        RESULTS_JSON.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    RESULTS_MD.write_text(render_markdown(results))
    print("\n== budgets")
    for b in evaluate_budgets(results):
        print(f"  {_result(b['pass']):<4}  {b['budget']:<42} {b['limit']:<24} {b['measured']}")
    print(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    if args.readme:
        update_readme(readme_section(results))
        print(f"updated the '## Benchmarks' section of {README.relative_to(ROOT)}")
    if args.write_baseline:
        BASELINE.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {BASELINE.relative_to(ROOT)}")
    regressions = 0
    if args.compare:
        old = json.loads(args.compare.read_text())
        regressions = print_comparison(compare(results, old, args.threshold), args.threshold, old)
    missed = any(b["pass"] is False for b in evaluate_budgets(results))
    return 1 if missed or regressions else 0


if __name__ == "__main__":
    raise SystemExit(main())
