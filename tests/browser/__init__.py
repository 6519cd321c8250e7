"""Browser tests: JupyterLab in the system Chromium, driven by Playwright (see conftest.py)."""
