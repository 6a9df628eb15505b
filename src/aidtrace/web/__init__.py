"""The dashboard: one HTML page, its script and style, and vendored libraries and geometry.

Everything the page loads is under ``static/`` and served by the app, so the dashboard
works with no internet. ``static/vendor/`` is built from pinned npm packages by
``scripts/vendor_web.sh`` (versions and integrity hashes in ``static/vendor/VERSIONS.txt``).
"""
from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
INDEX_HTML = WEB_DIR / "templates" / "index.html"
REVIEW_HTML = WEB_DIR / "templates" / "review.html"

__all__ = ["STATIC_DIR", "INDEX_HTML", "REVIEW_HTML"]
