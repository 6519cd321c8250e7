"""Fixtures for the browser tests: JupyterLab on 127.0.0.1, driven by Playwright with the system Chromium.

``lab`` starts ``jupyter lab`` once per session on a random free port with a random token, in a
throw-away root folder holding copies of the notebooks (the committed files are never touched,
even by autosave), with its own settings, workspaces, configuration and runtime folders. It
stops the server afterwards. ``browser`` launches Chromium from ``/usr/bin/chromium`` (or
``$ACTLIB_CHROMIUM``); Playwright's own browser download is never used.

Without Chromium or Playwright the tests are skipped with a message that says how to enable them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("ACTLIB_CHROMIUM", "/usr/bin/chromium")
# --disable-background-networking etc.: on a closed network Chromium's own update, sync and
# component requests are refused, and its start-up would wait for them.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOW_TO_ENABLE = (
    "To run them: install Chromium (Debian/Ubuntu: apt-get install chromium) and Playwright (pip install 'playwright>=1.40'; "
    "no `playwright install` is needed, the system Chromium is used), then run python -m pytest -m browser. "
    ".ci/run installs both."
)

# JupyterLab settings for a quiet, deterministic session: every cell attached to the page (so
# widgets far down a notebook render), no autosave, no news or update checks (no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"Chromium was not found at {CHROMIUM}"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    if importlib.util.find_spec("jupyterlab") is None:
        return "JupyterLab is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: its URL, token and folders, and a small REST helper."""

    def __init__(self, base: str, token: str, root: Path, log: Path, proc: subprocess.Popen):
        self.base, self.token, self.root, self.log, self.proc = base, token, root, log, proc

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.url(path), method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Shut down every session's kernel (each notebook's kernel holds a core while it lives)."""
        try:
            for session in self.api("api/sessions"):
                self.api(f"api/sessions/{session['id']}", method="DELETE")
        except (OSError, urllib.error.URLError):
            pass

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    reason = missing_requirement()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}. {HOW_TO_ENABLE}")
    base_dir = tmp_path_factory.mktemp("jupyterlab")
    root = base_dir / "course"
    root.mkdir()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        shutil.copy2(path, root / path.name)
    for extra in NOTEBOOKS.iterdir():  # data files a notebook might read next to it
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copy2(extra, root / extra.name)
    settings = base_dir / "settings"
    for name, values in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    env = dict(os.environ)
    for key in ("MPLBACKEND", "PYTEST_CURRENT_TEST", "JPY_SESSION_NAME"):  # tests set MPLBACKEND=Agg: kernels need inline figures
        env.pop(key, None)
    env.update({
        "JUPYTER_CONFIG_DIR": str(base_dir / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base_dir / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(base_dir / "runtime"),
        "IPYTHONDIR": str(base_dir / "ipython"),
        "PYTHONHASHSEED": "0",
    })
    token = secrets.token_hex(24)
    log = base_dir / "jupyterlab.log"
    last_error = ""
    for _attempt in range(3):  # the free port can be taken between choosing and binding it
        port = _free_port()
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands and read cell states
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--ServerApp.allow_root=True")
        with open(log, "ab") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
        server = Lab(f"http://127.0.0.1:{port}", token, root, log, proc)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                server.api("api/status")
                break
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        else:
            last_error = server.log_tail()
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            continue
        break
    else:
        pytest.fail(f"JupyterLab did not start; its log ends with:\n{last_error}")
    try:
        yield server
    finally:
        server.shutdown_kernels()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
