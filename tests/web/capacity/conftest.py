"""Browser fixtures (Debian's Chromium through Playwright, the live server) for the capacity browser test."""

from tests.web.browser.conftest import chromium, page, screenshot_dir

__all__ = ["chromium", "page", "screenshot_dir"]
