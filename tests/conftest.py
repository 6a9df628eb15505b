"""Shared fixtures. The spaCy pipeline is loaded once per test session (it is costly)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    """A Dask LocalCluster as ``--dask local`` starts it: two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    import dask

    from aidtrace.runner import DASK_CONFIG

    # a worker that dies fails its task at once instead of being retried on the next worker
    with dask.config.set({**DASK_CONFIG, "distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address=None) as lc, distributed.Client(lc) as client:
            yield client
