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
    """The rule extractor: tests of one rule behaviour per sentence use it (the learned
    extractor's decisions are measured by cross-validation, tests/test_eval_gate.py)."""
    from aidtrace.config import Settings
    from aidtrace.pipeline import Pipeline

    return Pipeline(Settings(extractor="rules"))


@pytest.fixture(scope="session")
def learned_pipeline():
    """The default pipeline: rule candidates, decisions by the shipped model."""
    from aidtrace.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def corpora() -> list[Path]:
    dirs = [SHARED / "corpus" / "dev", SHARED / "corpus" / "train"]
    if not all((d / "gold.jsonl").exists() for d in dirs):
        pytest.skip(f"gold corpora not found under {SHARED / 'corpus'} (set AIDTRACE_SHARED)")
    return dirs


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    if not (DEV / "gold.jsonl").exists():
        pytest.skip(f"gold corpus not found at {DEV} (set AIDTRACE_SHARED)")
    return DEV
