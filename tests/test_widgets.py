"""Headless tests of actlib.widgets: the state function against hand computations, the drawing,
and the explorer's wiring (move a slider from Python, check that the state and picture change)."""

import io

import numpy as np
import pytest

from actlib import data, widgets

# The hand-set XOR network of notebook 01: h1 = relu(x1 + x2), h2 = relu(x1 + x2 - 1), out = h1 - 2 h2.
W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
B1 = np.array([0.0, -1.0])
W2 = np.array([1.0, -2.0])
B2 = 0.0


@pytest.fixture
def xor():
    return data.xor()


# -- the state function ----------------------------------------------------------------------------
def test_hand_set_relu_network_solves_xor(xor):
    X, y = xor
    s = widgets.two_layer_state(W1, B1, W2, B2, X, y, activation="relu")
    np.testing.assert_array_equal(s.hidden, [[0, 0], [1, 0], [1, 0], [2, 1]])
    np.testing.assert_array_equal(s.outputs, [0, 1, 1, 0])
    np.testing.assert_array_equal(s.predictions, [0, 1, 1, 0])
    assert s.accuracy == 1.0 and s.mse == 0.0
    assert s.summary == "accuracy 100% (4/4 points), MSE 0.000"


def test_moved_bias_matches_a_hand_computation(xor):
    # b2 of unit 2 from -1 to -0.5: h2 = relu(x1 + x2 - 0.5) = 0, 0.5, 0.5, 1.5
    # out = h1 - 2 h2 = 0, 1 - 1, 1 - 1, 2 - 3 = [0, 0, 0, -1]
    X, y = xor
    s = widgets.two_layer_state(W1, [0.0, -0.5], W2, B2, X, y)
    np.testing.assert_allclose(s.hidden, [[0, 0], [1, 0.5], [1, 0.5], [2, 1.5]])
    np.testing.assert_allclose(s.outputs, [0, 0, 0, -1])
    assert s.accuracy == 0.5  # (0,1) and (1,0) are now called 0
    assert s.mse == pytest.approx((0 + 1 + 1 + 1) / 4)


def test_sigmoid_state_matches_a_direct_formula(xor):
    X, y = xor
    W1s, b1s = np.array([[20.0, 20.0], [-20.0, -20.0]]), np.array([-10.0, 30.0])  # OR and NAND
    w2s, b2s = np.array([1.0, 1.0]), -1.0  # OR + NAND - 1 = AND(OR, NAND) = XOR
    s = widgets.two_layer_state(W1s, b1s, w2s, b2s, X, y, activation="sigmoid")
    sig = lambda z: 1 / (1 + np.exp(-z))
    expected = sig(X @ W1s.T + b1s) @ w2s + b2s
    np.testing.assert_allclose(s.outputs, expected, rtol=1e-12)
    assert s.accuracy == 1.0 and s.mse < 1e-6


def test_grid_is_the_network_evaluated_on_the_grid(xor):
    X, y = xor
    s = widgets.two_layer_state(W1, B1, W2, B2, X, y, xlim=(-1, 2), ylim=(-0.5, 1.5), resolution=7)
    assert s.grid_out.shape == (7, 7)
    for i in (0, 3, 6):
        for j in (1, 5):
            p = np.array([s.grid_x[j], s.grid_y[i]])
            h = np.maximum(W1 @ p + B1, 0)
            assert s.grid_out[i, j] == pytest.approx(W2 @ h + B2)


@pytest.mark.parametrize("seed", range(5))
def test_a_linear_hidden_layer_never_beats_mse_quarter(xor, seed):
    X, y = xor
    rng = np.random.default_rng(seed)
    s = widgets.two_layer_state(rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), rng.normal(), X, y, activation="linear")
    assert s.mse >= 0.25 - 1e-12
    assert s.accuracy <= 0.75


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(W1=np.ones((2, 3))), "W1 must have shape (k, 2)"),
        (dict(b1=[0.0]), "b1 and w2 must have one entry per hidden unit (2)"),
        (dict(w2=[1.0, 2.0, 3.0]), "b1 and w2 must have one entry per hidden unit (2)"),
        (dict(b2=float("inf")), "b2 must be finite"),
        (dict(resolution=1), "resolution must be an int >= 2"),
        (dict(X=np.zeros((4, 3))), "X must have shape (n, 2)"),
        (dict(activation="relo"), "Did you mean 'relu'"),
    ],
)
def test_bad_arguments(xor, kwargs, fragment):
    X, y = xor
    args = dict(W1=W1, b1=B1, w2=W2, b2=B2, X=X, y=y)
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        widgets.two_layer_state(**args)
    assert fragment in str(info.value)


def test_line_through_box():
    xs, ys = widgets._line_through_box(np.array([1.0, 1.0]), -1.0, (-0.5, 1.5), (-0.5, 1.5))
    assert sorted(zip(xs.round(12), ys.round(12), strict=True)) == [(-0.5, 1.5), (1.5, -0.5)]
    xs, ys = widgets._line_through_box(np.array([1.0, 0.0]), -0.25, (0, 1), (0, 1))  # the vertical line x = 0.25
    np.testing.assert_allclose(xs, [0.25, 0.25])
    assert sorted(ys) == [0, 1]
    xs, _ = widgets._line_through_box(np.array([1.0, 1.0]), -10.0, (0, 1), (0, 1))  # misses the box
    assert np.all(np.isnan(xs))


# -- drawing -----------------------------------------------------------------------------------------
def test_static_figure_has_both_panels(xor):
    X, y = xor
    s = widgets.two_layer_state(W1, B1, W2, B2, X, y)
    fig = widgets.plot_two_layer_state(s, unit=1)
    ax_in, ax_hid = fig.axes
    assert "100% correct" in ax_in.get_title()
    assert ax_in.get_xlabel() == "$x_1$" and ax_hid.get_xlabel().startswith("$h_1$")
    # the hidden panel shows where the four points land
    np.testing.assert_allclose(ax_hid.collections[0].get_offsets(), s.hidden)
    fig.savefig(io.BytesIO(), format="png")  # renders without error


def test_three_hidden_units_draw_only_the_input_panel(xor):
    X, y = xor
    s = widgets.two_layer_state(np.ones((3, 2)), np.zeros(3), np.ones(3), 0.0, X, y)
    fig = widgets.plot_two_layer_state(s)
    assert len(fig.axes) == 1


# -- the explorer (wiring) --------------------------------------------------------------------------
def _pixels(png):
    import PIL.Image

    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.fixture
def explorer(xor):
    pytest.importorskip("ipywidgets")
    X, y = xor
    return widgets.hidden_unit_explorer(W1, B1, W2, B2, X, y, unit=1)


def test_explorer_starts_from_the_given_weights(explorer):
    assert {k: s.value for k, s in explorer.sliders.items()} == {"w1": 1.0, "w2": 1.0, "b": -1.0}
    assert explorer.state.accuracy == 1.0
    assert explorer.image.value[:3] == b"\xff\xd8\xff"  # a JPEG
    assert "100%" in explorer.summary.value
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_moving_a_slider_updates_state_text_and_picture(explorer):
    before = explorer.image.value
    explorer.sliders["b"].value = -0.5
    assert explorer.b1[1] == -0.5 and explorer.W1[0, 0] == 1.0  # only unit 2 moved
    np.testing.assert_allclose(explorer.state.outputs, [0, 0, 0, -1])  # the hand computation above
    assert explorer.state.accuracy == 0.5
    assert "50%" in explorer.summary.value
    assert explorer.image.value != before


def test_set_and_reset(explorer):
    state = explorer.set(w1=2.0, w2=-1.0, b=0.5)
    assert explorer.W1[1].tolist() == [2.0, -1.0] and explorer.b1[1] == 0.5
    direct = widgets.two_layer_state(explorer.W1, explorer.b1, W2, B2, explorer.state.X, explorer.state.y)
    np.testing.assert_allclose(state.outputs, direct.outputs)
    explorer.reset.click()
    assert explorer.W1[1].tolist() == [1.0, 1.0] and explorer.b1[1] == -1.0
    assert explorer.state.accuracy == 1.0
    with pytest.raises(ValueError, match="unknown slider"):
        explorer.set(bias=1.0)


def test_fast_redraw_matches_a_full_redraw(explorer):
    # the explorer draws only the changing artists over a cached background; that must give
    # the same pixels as drawing everything from scratch
    canvas = explorer._drawing.canvas
    limits = []
    for b in (-0.7, -0.2, 0.4, 2.5):  # 2.5 also moves the hidden-space axis limits
        explorer.sliders["b"].value = b
        limits.append(explorer._drawing.ax_hid.get_ylim())
        fast = np.asarray(canvas.buffer_rgba()).copy()
        explorer._drawing.render(full=True)
        full = np.asarray(canvas.buffer_rgba())
        assert fast.shape == full.shape
        assert np.array_equal(fast, full), f"fast redraw differs from a full redraw at b = {b}"
    assert limits[-1] != limits[0], "the test should cover a change of the hidden-space limits"
    assert _pixels(explorer.image.value).shape[:2] == fast.shape[:2]


def test_half_box():
    # the part of the unit square where x + y - 1 >= 0 is the triangle (1,0), (1,1), (0,1)
    corners = widgets._half_box([1.0, 1.0], -1.0, (0, 1), (0, 1))
    assert sorted(map(tuple, corners.round(12))) == [(0, 1), (1, 0), (1, 1)]
    other = widgets._half_box([1.0, 1.0], -1.0, (0, 1), (0, 1), sign=-1.0)
    assert sorted(map(tuple, other.round(12))) == [(0, 0), (0, 1), (1, 0)]
    assert len(widgets._half_box([1.0, 0.0], 5.0, (0, 1), (0, 1), sign=-1.0)) == 0  # the whole box is on the + side


def test_explorer_checks_the_unit(xor):
    pytest.importorskip("ipywidgets")
    X, y = xor
    with pytest.raises(ValueError, match=r"unit must be an int in 0\.\.1"):
        widgets.hidden_unit_explorer(W1, B1, W2, B2, X, y, unit=2)
