"""System-tier fixtures: the served app and a headless Chromium, shared by every browser test module."""

from tests.system.test_app_browser import app, browser  # noqa: F401 (fixtures: pytest finds them here)
