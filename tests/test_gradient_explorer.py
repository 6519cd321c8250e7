"""The gradient explorer, headless: the per-layer statistics, the drawing, and the widget's wiring.

Setting a control's ``.value`` runs the widget's observers synchronously, exactly as a slider
moved in the browser does, so these tests exercise the real callbacks. Latency is measured by a
benchmark script, not here (a timed test would be flaky on a shared machine).
"""

import html
import io
import math
import warnings

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import actlib
from actlib import explorer, gradient_explorer, simulate

ge = gradient_explorer


def png_pixels(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


@pytest.fixture
def w():
    return ge.gradient_explorer("sigmoid", depth=12)


@pytest.fixture
def custom():
    """A registered activation the explorer has never heard of."""
    name = "gradient_explorer_test_act"
    actlib.register(name, lambda x: np.tanh(np.asarray(x, dtype=float)), lambda x: 1 - np.tanh(np.asarray(x, dtype=float)) ** 2,
                    formula=r"\tanh x", derivative=r"1 - \tanh^2 x")
    yield name
    actlib.unregister(name)


# -- the statistics ----------------------------------------------------------------------------


def test_shapes_fields_and_histograms():
    s = ge.stack_stats("tanh", "glorot_normal", depth=9, width=32, n_samples=50)
    for a in (s.act_mean, s.act_std, s.grad_std, s.predicted_factor):
        assert a.shape == (9,) and np.isfinite(a).all()
    assert s.hist_layers == (1, 5, 9) and len(s.hists) == 3
    for fractions, edges in s.hists:
        assert fractions.shape == (40,) and edges.shape == (41,)
        assert math.isclose(fractions.sum(), 1.0) and np.all(np.diff(edges) > 0)
        assert edges[0] == -1.0 and edges[-1] == 1.0  # a bounded activation gets its whole output range
    assert s.activation == "tanh" and s.init == "glorot_normal" and (s.depth, s.width, s.n_samples) == (9, 32, 50)
    assert s.weight_std == pytest.approx(actlib.init.std_of("glorot_normal", 32, 32)) and s.sigma_w2 == pytest.approx(1.0)
    assert ge.stack_stats("relu", "he_uniform", depth=4, hist_layers=(2,)).hist_layers == (2,)
    assert ge.stack_stats("relu", "he_uniform", depth=2).hist_layers == (1, 2)  # first and middle coincide


@pytest.mark.parametrize("s", [0.5, 1.0, 2.0])
def test_relu_with_he_times_s_changes_the_gradient_by_s_per_layer(s):
    stats = ge.stack_stats("relu", "he_normal", depth=20, scale=s, width=128, n_samples=128)
    assert stats.factor == pytest.approx(s, rel=0.05)
    assert stats.sigma_w2 == pytest.approx(2 * s**2)
    assert stats.first_over_last == pytest.approx(stats.factor**19, rel=1e-9)


def test_relu_scale_is_exact_because_relu_is_positively_homogeneous():
    """relu(s z) = s relu(z): the same draws with weights × s give activations × s^l and gradients × s^(L − l)."""
    one = ge.stack_stats("relu", "he_normal", depth=12)
    s = 1.7
    scaled = ge.stack_stats("relu", "he_normal", depth=12, scale=s)
    layers = np.arange(1, 13)
    np.testing.assert_allclose(scaled.act_std, one.act_std * s**layers, rtol=1e-10)
    np.testing.assert_allclose(scaled.grad_std, one.grad_std * s ** (12 - layers), rtol=1e-10)


def test_sigmoid_decays_as_predicted_by_sigma_w2_times_mean_squared_slope():
    s = ge.stack_stats("sigmoid", "glorot_uniform", depth=20, width=128, n_samples=128)
    measured = s.grad_std[:-1] / s.grad_std[1:]
    np.testing.assert_allclose(measured.mean(), s.predicted_factor[:-1].mean(), rtol=0.03)
    assert s.factor < 0.25 and s.first_over_last < 1e-11
    assert "shrinks" in s.summary and "×0.2" in s.summary


def test_orthogonal_linear_stack_keeps_the_gradient_norm():
    s = ge.stack_stats("linear", "orthogonal", depth=15, width=32, n_samples=64)
    assert s.factor == pytest.approx(1.0, abs=0.01)
    assert "keeps its size" in s.summary


@pytest.mark.parametrize(("name", "init"), [("sigmoid", "glorot_uniform"), ("relu", "he_normal"), ("tanh", "lecun_normal")])
def test_agrees_with_simulate_deep_stack_within_sampling_noise(name, init):
    ours = ge.stack_stats(name, init, depth=15, width=128, n_samples=256)
    theirs = simulate.deep_stack(name, init, 15, 128, n_samples=256, rng=0)
    assert ours.factor == pytest.approx((theirs.grad_std[0] / theirs.grad_std[-1]) ** (1 / 14), rel=0.04)
    assert np.all(np.abs(np.log10(ours.grad_std / theirs.grad_std)) < np.log10(2.5))
    assert np.all(np.abs(np.log10(ours.act_std / theirs.act_std)) < np.log10(2.5))


def test_a_deeper_stack_keeps_the_layers_of_a_shallower_one():
    deep = ge.stack_stats("gelu", "he_normal", depth=20, scale=1.3)
    shallow = ge.stack_stats("gelu", "he_normal", depth=8, scale=1.3)
    np.testing.assert_array_equal(shallow.act_std, deep.act_std[:8])
    np.testing.assert_array_equal(shallow.act_mean, deep.act_mean[:8])
    again = ge.stack_stats("gelu", "he_normal", depth=20, scale=1.3)  # from the kept forward pass
    np.testing.assert_array_equal(again.grad_std, deep.grad_std)


def test_zero_weights_pass_no_gradient_down():
    s = ge.stack_stats("relu", "zeros", depth=6)
    assert np.all(s.grad_std[:-1] == 0) and s.grad_std[-1] >= 0
    assert np.all(s.act_std == 0)
    s = ge.stack_stats("sigmoid", "zeros", depth=6)  # sigmoid(0) = 0.5: a constant, and the top still gets a gradient
    assert np.all(s.act_mean == 0.5) and s.grad_std[-1] > 0 and s.factor == 0.0
    assert s.summary == "no gradient reaches layer 1 (exactly 0)"


def test_float_initializer_is_a_normal_with_that_std():
    s = ge.stack_stats("tanh", 0.1, depth=3, width=100)
    assert s.init == 0.1 and s.sigma_w2 == pytest.approx(1.0)


def test_an_exploding_stack_overflows_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ge.stack_stats("relu", "he_normal", depth=200, scale=10.0)
        png = ge.render(ge.new_gradient_figure(), s)
    assert not np.isfinite(s.act_std[-1]) or s.act_std[-1] > 1e150
    assert png_pixels(png).shape[0] > 100
    assert "overflowed" in s.summary or "grows" in s.summary


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"activation": "softmax"}, ValueError, "stack_stats: softmax is a vector function"),
        ({"activation": "rleu"}, ValueError, "relu"),
        ({"init": "he_norml"}, ValueError, r"unknown initializer.*he_normal"),
        ({"init": None}, TypeError, "initializer name"),
        ({"depth": 0}, ValueError, "stack_stats: depth must be an integer from 1 to 200"),
        ({"depth": 2.5}, ValueError, "depth must be an integer"),
        ({"scale": 0.0}, ValueError, "stack_stats: scale must be > 0"),
        ({"scale": float("nan")}, ValueError, "scale must be finite"),
        ({"width": 0}, ValueError, "width"),
        ({"rng": -1}, ValueError, "rng"),
        ({"depth": 5, "hist_layers": (6,)}, ValueError, "histogram layer"),
    ],
)
def test_bad_arguments_name_the_function_and_the_fix(kwargs, error, words):
    with pytest.raises(error, match=words):
        ge.stack_stats(**kwargs)


def test_nice_range_is_on_a_1_2_5_grid_and_covers_the_data():
    assert ge._nice_range(0.0, 3.7) == (0.0, 5.0)
    assert ge._nice_range(-0.04, 4.2) == (-0.05, 5.0)
    assert ge._nice_range(-12.0, 3.0) == (-20.0, 5.0)
    assert ge._nice_range(-1.0, 1.0) == (-1.0, 1.0)
    for lo, hi in [(0.0, 1e-30), (-3e8, 2e8), (0.0, 1.0), (-0.01, 0.0), (0.0, 1.7e308)]:
        a, b = ge._nice_range(lo, hi)
        assert a <= lo and hi <= b and a < b and math.isfinite(a) and math.isfinite(b)


# -- the drawing -------------------------------------------------------------------------------


def test_render_updates_one_figure_in_place_and_returns_png():
    fs = ge.new_gradient_figure()
    artists = (fs.grad_line, fs.act_line, *fs.steps)
    s1 = ge.stack_stats("sigmoid", "glorot_uniform", depth=10)
    png1 = ge.render(fs, s1)
    np.testing.assert_array_equal(fs.grad_line.get_ydata(), s1.grad_std)
    np.testing.assert_array_equal(fs.grad_line.get_xdata(), np.arange(1, 11))
    np.testing.assert_array_equal(fs.act_line.get_ydata(), s1.act_std)
    assert fs.grad_line.get_color() == actlib.plotting.color("sigmoid")
    lo, hi = fs.ax_std.get_ylim()
    assert lo <= s1.grad_std.min() and s1.grad_std.max() <= hi
    assert [t.get_text().split(":")[0] for t in fs.hist_labels] == ["layer 1", "layer 5", "layer 10"]
    assert fs.hist_labels[0].get_text() == "layer 1: values from 0 to 1"
    s2 = ge.stack_stats("relu", "he_normal", depth=30, scale=2.0)
    png2 = ge.render(fs, s2)
    assert (fs.grad_line, fs.act_line, *fs.steps) == artists and len(fs.fig.axes) == 4
    assert fs.ax_std.get_xlim()[1] >= 30 and fs.grad_line.get_color() == actlib.plotting.color("relu")
    assert png_pixels(png1).shape == png_pixels(png2).shape == (*fs.size_px[::-1], 3)
    assert png1 != png2


def test_two_histograms_for_a_two_layer_stack():
    fs = ge.new_gradient_figure()
    ge.render(fs, ge.stack_stats("tanh", "glorot_uniform", depth=2))
    assert [st.get_visible() for st in fs.steps] == [True, True, False]
    ge.render(fs, ge.stack_stats("tanh", "glorot_uniform", depth=3))
    assert all(st.get_visible() for st in fs.steps)


def test_blitted_frames_look_like_full_redraws():
    s = ge.stack_stats("gelu", "he_uniform", depth=25, scale=1.2)
    blit, full = ge.new_gradient_figure(), ge.new_gradient_figure(blit=False, titles=False)
    ge.render(blit, ge.stack_stats("sigmoid", "glorot_uniform", depth=25))  # another frame first: the background must not leak
    a = png_pixels(ge.render(blit, s))
    ge.render(full, s, png=False)
    full.ax_std.set_xlim(*blit.ax_std.get_xlim())  # the widget keeps its axes while the curves fit; use the same ones
    full.ax_std.set_ylim(*blit.ax_std.get_ylim())
    full.fig.canvas.draw()
    b = png_pixels(ge._png(full.fig.canvas, {}))
    assert (np.abs(a - b) > 40).mean() < 2e-3


def test_nearby_frames_reuse_the_cached_axes():
    fs = ge.new_gradient_figure()
    for scale in np.linspace(1.0, 1.1, 6):  # a slider drag: the gradient stays within the same decades
        ge.render(fs, ge.stack_stats("relu", "he_normal", depth=18, scale=float(scale)))
    for depth in (16, 17, 19, 20):  # the x-axis ends at 20 for all of these
        ge.render(fs, ge.stack_stats("relu", "he_normal", depth=depth))
    assert fs.full_draws <= 3


def test_the_widget_keeps_its_axes_while_the_curves_fit():
    fs = ge.new_gradient_figure()
    ge.render(fs, ge.stack_stats("relu", "he_normal", depth=25))
    first = fs.ax_std.get_xlim(), fs.ax_std.get_ylim()
    assert first[0] == (0.5, 30.5)  # room up to the next round depth
    ge.render(fs, ge.stack_stats("relu", "he_normal", depth=17, scale=1.05))  # fits, fills more than half: kept
    assert (fs.ax_std.get_xlim(), fs.ax_std.get_ylim()) == first
    ge.render(fs, ge.stack_stats("relu", "he_normal", depth=12))  # less than half of the x-axis: zoom in
    assert fs.ax_std.get_xlim() == (0.5, 15.5)
    s = ge.stack_stats("relu", "he_normal", depth=12, scale=3.0)  # the gradient leaves the y-range: zoom out
    ge.render(fs, s)
    lo, hi = fs.ax_std.get_ylim()
    assert lo <= s.grad_std.min() and max(s.grad_std.max(), s.act_std.max()) <= hi


def test_static_figure_for_github_readers():
    fig = ge.gradient_figure("tanh", "glorot_uniform", depth=15, scale=1.5)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("tanh, glorot_uniform × 1.5, depth 15") for t in texts)
    assert any("per layer" in t for t in texts)
    assert fig.axes[0].get_xlim() == (0.5, 15.5)  # a static figure fits its stack
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # nothing is "animated": savefig draws everything
    assert png_pixels(buf.getvalue()).shape[0] > 300


def test_log_tick_labels_are_plain_text():
    assert [ge._decade(v) for v in (1e-5, 0.01, 1.0, 100.0, 1e6, 3.0)] == ["1e−5", "0.01", "1", "100", "1e6", ""]


def test_no_pyplot_figures_are_created():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    ge.gradient_explorer("relu").depth.value = 5
    ge.gradient_figure("relu")
    assert plt.get_fignums() == before


# -- the widget --------------------------------------------------------------------------------


def test_widget_structure_and_first_frame(w):
    assert isinstance(w, W.VBox) and w.widget is w
    assert isinstance(w.activation, W.Dropdown) and list(w.activation.options) == explorer.explorer_names()
    assert "softmax" not in w.activation.options
    assert isinstance(w.init, W.Dropdown) and list(w.init.options) == list(ge.INITIALIZERS)
    assert isinstance(w.depth, W.IntSlider) and (w.depth.min, w.depth.value) == (2, 12)
    assert isinstance(w.scale, W.FloatLogSlider) and (w.scale.min, w.scale.max, w.scale.base) == (-1, 1, 10)
    assert w.init.value == "glorot_uniform"  # the activation's recommended initializer
    assert w.n_updates == 1 and w.state.error == "" and w.message.value == ""
    assert png_pixels(w.image.value).shape == (*w.figure_state.size_px[::-1], 3)
    assert html.escape(w.state.summary) in w.summary.value and "sigmoid, glorot_uniform × 1, depth 12" in w.summary.value
    assert ge.gradient_explorer("relu").init.value == "he_normal"


@pytest.mark.parametrize(
    ("control", "value", "field", "expected"),
    [("activation", "tanh", "activation", "tanh"), ("init", "he_normal", "init", "he_normal"), ("depth", 30, "depth", 30), ("scale", 2.0, "scale", 2.0)],
)
def test_each_control_redraws_once(w, control, value, field, expected):
    png, n = w.image.value, w.n_updates
    getattr(w, control).value = value
    assert w.n_updates == n + 1 and getattr(w.state, field) == expected
    assert w.image.value != png
    assert w.stats.grad_std.shape == (w.depth.value,)


def test_the_state_follows_the_physics(w):
    w.set(activation="relu", init="he_normal", depth=30, scale=1.0)
    assert 0.9 < w.state.factor < 1.1
    w.scale.value = 2.0
    assert 1.85 < w.state.factor < 2.15 and w.state.first_over_last > 1e7
    w.activation.value = "sigmoid"
    w.init.value = "glorot_uniform"
    w.scale.value = 1.0
    assert w.state.factor < 0.25 and w.state.first_over_last < 1e-15
    w.init.value = "zeros"
    assert w.state.first_over_last == 0.0 and "exactly 0" in w.summary.value


def test_set_moves_several_controls_with_one_redraw(w):
    n = w.n_updates
    state = w.set(activation="gelu", init="lecun_normal", depth=7, scale=0.5)
    assert w.n_updates == n + 1 and state is w.state
    assert (state.activation, state.init, state.depth, state.scale) == ("gelu", "lecun_normal", 7, 0.5)
    assert w.set(activation="SiLU").activation == "swish"  # aliases work


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"activation": "softmax"}, ValueError, "vector function"),
        ({"init": "glorot"}, ValueError, "glorot_normal"),
        ({"init": 0.1}, TypeError, "weight-scale slider"),
        ({"depth": 61}, ValueError, "depth must be an integer from 2 to 60"),
        ({"scale": 20.0}, ValueError, "scale must be <= 10"),
    ],
)
def test_set_refuses_bad_values_before_moving_anything(w, kwargs, error, words):
    before = (w.activation.value, w.init.value, w.depth.value, w.scale.value, w.n_updates)
    with pytest.raises(error, match=words):
        w.set(**{"activation": "relu", **kwargs})
    assert (w.activation.value, w.init.value, w.depth.value, w.scale.value, w.n_updates) == before


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"activation": "softmax"}, ValueError, "gradient_explorer: softmax is a vector function"),
        ({"init": "kaiming"}, ValueError, "unknown initializer"),
        ({"depth": 1}, ValueError, "depth must be an integer from 2"),
        ({"scale": 0.01}, ValueError, "scale must be >= 0.1"),
        ({"width": 0}, ValueError, "width"),
    ],
)
def test_bad_arguments_to_the_widget(kwargs, error, words):
    with pytest.raises(error, match=words):
        ge.gradient_explorer(**kwargs)


def test_a_newly_registered_activation_is_offered(custom):
    w = ge.gradient_explorer(custom, depth=5)
    assert custom in w.activation.options and w.state.activation == custom and w.init.value == "glorot_uniform"
    tanh = ge.stack_stats("tanh", "glorot_uniform", depth=5)
    np.testing.assert_allclose(w.stats.grad_std, tanh.grad_std, rtol=1e-12)  # the same function as tanh, the same numbers


def test_an_error_in_an_update_keeps_the_last_frame(w, monkeypatch):
    png, n = w.image.value, w.n_updates

    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(ge, "stack_stats", broken)
    w.depth.value = 13
    assert "something broke" in w.message.value and "RuntimeError" in w.state.error
    assert w.image.value == png and w.n_updates == n
    monkeypatch.undo()
    w.depth.value = 14
    assert w.message.value == "" and w.state.error == "" and w.state.depth == 14


def test_text_fallback_is_readable_where_widgets_do_not_render(w):
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == "[gradient explorer: sigmoid, glorot_uniform × 1, depth 12; run the notebook to use its controls]"
    assert "application/vnd.jupyter.widget-view+json" in bundle
