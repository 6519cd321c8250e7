"""Every explorer, for real: JupyterLab in Chromium runs each notebook that has widgets, then moves
one control of each kind (slider, dropdown, the playground's buttons) and checks that the picture
changes, with no "Error displaying widget", no error output and no JavaScript error.

The course offers no Voilà app view, so nothing is rendered with Voilà.

On failure a screenshot of the page goes to test-artifacts/. Run only these tests with
``python -m pytest -m browser``; leave them out with ``-m "not browser"``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"  # gitignored
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _has_widgets(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return any(WIDGET_MIME in out.get("data", {}) for cell in nb["cells"] for out in cell.get("outputs", []))


WIDGET_NOTEBOOKS = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if _has_widgets(p)]
RUN_TIMEOUT_S = 240  # a notebook's Run All; each runs in well under a minute on the 2-core CI machine
CHANGE_TIMEOUT_MS = 30_000  # control moved -> new picture in the page
TRAIN_SECONDS = 3  # how long the playground trains in the page

# Console messages that are not errors of the course: none so far. Add a pattern only with a reason.
IGNORED_CONSOLE = [re.compile(p) for p in ()]

_STATE_JS = """() => {
  const panel = jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return {state: 'loading'};
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
  const problems = [];
  cells.forEach((c, i) => {
    for (const out of c.model.outputs.toJSON()) {
      if (out.output_type === 'error') problems.push(`code cell ${i + 1}: ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr') problems.push(`code cell ${i + 1}: stderr: ${String(out.text).slice(0, 300)}`);
    }
  });
  return {
    state: kernel ? kernel.status : 'no kernel',
    total: cells.length,
    done: cells.filter(c => c.model.executionCount !== null && c.model.executionState !== 'running').length,
    running: cells.filter(c => c.model.executionState === 'running').length,
    problems,
  };
}"""


class Page:
    """A notebook open in JupyterLab, with the errors its page reports."""

    def __init__(self, lab, browser, name):
        self.lab, self.name = lab, name
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _on_console(self, msg):
        if msg.type == "error" and not any(p.search(msg.text) for p in IGNORED_CONSOLE):
            self.errors.append(f"console error: {msg.text}")

    def open(self):
        page = self.page
        page.goto(self.lab.url(f"lab/tree/{self.name}?reset&token={self.lab.token}"))
        page.wait_for_function(
            "() => window.jupyterapp && jupyterapp.shell.currentWidget && jupyterapp.shell.currentWidget.sessionContext"
            " && jupyterapp.shell.currentWidget.sessionContext.session && jupyterapp.shell.currentWidget.sessionContext.session.kernel"
            " && jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=120_000,
        )

    def run_all(self) -> float:
        """Clear the outputs, Run All, wait until every cell has run; returns the seconds it took."""
        page = self.page
        page.evaluate("jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function(
            "() => jupyterapp.shell.currentWidget.content.widgets.every(c => c.model.type !== 'code' || c.model.executionCount === null)",
            timeout=30_000,
        )
        start = time.monotonic()
        page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
        idle_since = None
        while True:
            status = page.evaluate(_STATE_JS)
            assert not status["problems"], f"{self.name}: a cell failed in JupyterLab:\n" + "\n".join(status["problems"])
            if status["state"] == "idle" and status["running"] == 0:
                if status["done"] == status["total"]:
                    return time.monotonic() - start
                idle_since = idle_since or time.monotonic()
                assert time.monotonic() - idle_since < 15, f"{self.name}: the kernel is idle but only {status['done']} of {status['total']} cells ran"
            else:
                idle_since = None
            assert time.monotonic() - start < RUN_TIMEOUT_S, f"{self.name}: Run All did not finish in {RUN_TIMEOUT_S} s ({status})"
            page.wait_for_timeout(250)

    def screenshot(self, tag):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{Path(self.name).stem}-{tag}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except Exception:  # the page may be gone; the failure itself matters more
            return None
        return path

    def close(self):
        self.context.close()


def _image_sources(explorer) -> list[str]:
    return [img.get_attribute("src") or "" for img in explorer.locator("img.widget-image").all()]


def _wait_for_new_picture(page, explorer, before, what, timeout=CHANGE_TIMEOUT_MS):
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        if _image_sources(explorer) != before:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{what}: the explorer's picture did not change within {timeout / 1000:.0f} s")


def _move_slider(page, explorer) -> str | None:
    """Move the first visible slider with the keyboard, as a student can (two PageUp or PageDown
    presses on its handle: works for linear and log sliders alike); returns a description, or None."""
    for slider in explorer.locator(".widget-slider").all():
        if not slider.is_visible():
            continue
        handle = slider.locator(".noUi-handle").first
        lo, hi, now = (float(handle.get_attribute(k)) for k in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
        if hi <= lo:
            continue
        key = "PageUp" if now < (lo + hi) / 2 else "PageDown"
        label = slider.locator(".widget-label").first.inner_text() if slider.locator(".widget-label").count() else "slider"
        before = slider.locator(".widget-readout").inner_text()
        handle.focus()
        handle.press(key)
        handle.press(key)
        page.wait_for_timeout(50)
        return f"slider {label!r} {before} -> {slider.locator('.widget-readout').inner_text()} ({key} × 2)"
    return None


def _pick_dropdown(page, explorer) -> str | None:
    for select in explorer.locator(".widget-dropdown select").all():
        if not select.is_visible():
            continue
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        if len(options) < 2:
            continue
        index = (current + 1) % len(options)
        select.select_option(index=index)
        return f"dropdown {options[current]!r} -> {options[index]!r}"
    return None


def _steps_shown(explorer) -> int | None:
    """The step count in the playground's status line ("step 1,234 · ..."), if there is one."""
    match = re.search(r"step\s+([\d,]+)", explorer.inner_text())
    return int(match.group(1).replace(",", "")) if match else None


def _button(explorer, text):
    buttons = explorer.locator("button", has_text=text)
    return buttons.first if buttons.count() else None


@pytest.mark.parametrize("notebook", WIDGET_NOTEBOOKS, ids=[p.stem for p in WIDGET_NOTEBOOKS])
def test_every_explorer_responds_in_jupyterlab(lab, browser, notebook, record_property):
    page = Page(lab, browser, notebook.name)
    try:
        page.open()
        seconds = page.run_all()
        record_property("run_all_seconds", round(seconds, 1))
        p = page.page
        outputs = p.locator(".jp-OutputArea-output:has(> .jupyter-widgets)")  # a displayed widget's root
        assert outputs.count() > 0, f"{notebook.name}: no widget was displayed after Run All"
        p.wait_for_timeout(500)
        assert p.get_by_text("Error displaying widget").count() == 0, f"{notebook.name}: 'Error displaying widget' on the page"
        explorers = [o for o in outputs.all() if o.locator("img.widget-image").count() > 0]
        assert explorers, f"{notebook.name}: widgets were displayed, but none shows a picture"
        done = []
        for k, explorer in enumerate(explorers):
            explorer.scroll_into_view_if_needed()
            what = f"{notebook.name}, explorer {k + 1}"
            actions = []
            for mover in (_move_slider, _pick_dropdown):
                before = _image_sources(explorer)
                action = mover(p, explorer)
                if action is not None:
                    _wait_for_new_picture(p, explorer, before, f"{what}: {action}")
                    actions.append(action)
            step = _button(explorer, "step")
            if step is not None:
                before = _image_sources(explorer)
                step.click()
                _wait_for_new_picture(p, explorer, before, f"{what}: step button")
                actions.append("step button")
            train = _button(explorer, "train")
            if train is not None:
                # count the new pictures the page shows while it trains (a MutationObserver on the image)
                explorer.locator("img.widget-image").first.evaluate(
                    "img => { window.__frames = 0; new MutationObserver(() => window.__frames++).observe(img, {attributes: true, attributeFilter: ['src']}); }"
                )
                steps_before = _steps_shown(explorer)
                train.click()
                p.wait_for_timeout(TRAIN_SECONDS * 1000)
                frames, steps = p.evaluate("window.__frames"), _steps_shown(explorer)
                _button(explorer, "pause").click()
                rate = frames / TRAIN_SECONDS
                record_property("training_frames_per_second_in_browser", round(rate, 1))
                print(f"{what}: {frames} pictures in {TRAIN_SECONDS} s of training ({rate:.1f} per second) arrived in the page"
                      + (f"; the kernel took {steps - steps_before} steps meanwhile ({steps_before} -> {steps})" if None not in (steps, steps_before) else ""))
                assert frames >= 10, f"{what}: training should redraw continuously; {frames} new pictures in {TRAIN_SECONDS} s"
                p.wait_for_timeout(500)  # the last frame in flight
                after_pause = _image_sources(explorer)
                p.wait_for_timeout(1000)
                assert _image_sources(explorer) == after_pause, f"{what}: the picture still changes after pause"
                actions.append(f"train/pause buttons ({rate:.0f} pictures per second)")
            assert actions, f"{what}: no slider, dropdown or button to move"
            done.append(f"explorer {k + 1}: " + ", ".join(actions))
        record_property("explorers", done)
        print(f"{notebook.name}: Run All took {seconds:.0f} s; " + "; ".join(done))
        assert p.get_by_text("Error displaying widget").count() == 0, f"{notebook.name}: 'Error displaying widget' after moving controls"
        assert not page.errors, f"{notebook.name}: the page reported errors:\n" + "\n".join(page.errors[:20])
    except BaseException:
        shot = page.screenshot("failure")
        if shot:
            print(f"screenshot: {shot}")
        raise
    finally:
        page.close()
        lab.shutdown_kernels()
