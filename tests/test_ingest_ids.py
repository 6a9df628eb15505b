"""Article ids: stable, and never shared by different articles with a placeholder URL."""
from __future__ import annotations

from aidtrace.config import Settings
from aidtrace.ingest import article_id, iter_inputs


def test_same_url_same_id_whatever_the_text():
    assert article_id("https://Example.org/a/?utm_source=x", "one") == \
        article_id("https://example.org/a", "two")


def test_placeholder_url_falls_back_to_the_text(tmp_path):
    for name, body in (("a.txt", "Japan sent rice to Nepal, the ministry said on Monday."),
                       ("b.txt", "Chile sent tents to Peru, the ministry said on Tuesday.")):
        (tmp_path / name).write_text(f"url: unknown\ntitle: {name}\npublished: 2020-01-01\n\n{body}\n")
    ids = [a.id for a in iter_inputs([str(tmp_path)], Settings())]
    assert len(ids) == 2 and len(set(ids)) == 2
