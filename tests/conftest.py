"""Shared fixtures. The spaCy pipeline is loaded once per test session (it is costly)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AIDTRACE_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "corpus" / "dev"


@pytest.fixture(scope="session")
def pipeline():
    from aidtrace.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    if not (DEV / "gold.jsonl").exists():
        pytest.skip(f"gold corpus not found at {DEV} (set AIDTRACE_SHARED)")
    return DEV
