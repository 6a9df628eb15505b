"""The learned extractor's net (events/candidates.py) and its feature matrix (events/model.py).

The decisions are measured by cross-validation (test_eval_gate.py); these tests pin what
the net must hold and that the shared feature blocks give the same matrix as features
listed one by one."""
from __future__ import annotations

from datetime import date

import numpy as np
from scipy.sparse import csr_matrix

from aidtrace.events.candidates import CandidateFinder
from aidtrace.events.model import default_model, features_matrix
from aidtrace.models import Article
from aidtrace.ontology.lexicon import default_lexicon


def candidates(pipeline, text: str, title: str | None = None):
    [parsed] = pipeline.parse([Article(id="t", text=text, title=title, published=date(2021, 4, 27))])
    return CandidateFinder(default_lexicon()).find(parsed)


LIST = ("The Government of Japan decided to extend emergency grant aid to countries in Africa.\n\n"
        "Recipient countries\n\n(\n\nWest Africa: 3 countries)\n\nGhana, Senegal, Mali\n\n"
        "(East Africa: 2 countries)\n\nKenya, Uganda\n")


def test_a_list_under_sub_headings_keeps_the_heading_types(pipeline):
    """Sub-headings without actors between a cue heading and a list line do not end the
    list: Kenya, three lines below, is still a candidate recipient of Japan's aid."""
    cands = candidates(pipeline, LIST)
    keys = {c.key for c in cands}
    assert {("AID", "JPN", "GHA"), ("AID", "JPN", "KEN"), ("AID", "JPN", "UGA")} <= keys
    # each line knows its heading ("Recipient countries", sentence 1), where its package is
    assert {c.heading for c in cands if c.target in {"GHA", "KEN"} and c.sentence > 1} == {1}
    assert {c.heading for c in cands if c.sentence <= 1} == {None}


def test_prose_with_actors_ends_a_list(pipeline):
    """Four sentences with actors and no cue after a heading: the last one is not read
    under it (INHERIT_BACK)."""
    text = ("Japan sent aid to the region.\n\nGhana is in the west.\n\nKenya is in the east.\n\n"
            "Mali is far inland.\n\nUganda is on the lake.\n")
    keys = {c.key for c in candidates(pipeline, text)}
    assert ("AID", "JPN", "MLI") in keys and ("AID", "JPN", "UGA") not in keys


def _one_by_one(cands, vocab) -> csr_matrix:
    cols, indptr = [], [0]
    for c in cands:
        cols.extend(sorted({vocab[f] for f in c.features if f in vocab}))
        indptr.append(len(cols))
    return csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                      shape=(len(cands), len(vocab)))


def test_shared_feature_blocks_give_the_plain_matrix(pipeline):
    cands = candidates(pipeline, LIST + "\nJapan thanked UNICEF, which will deliver the equipment.",
                       title="Emergency grant aid from Japan")
    model = default_model()
    shared = features_matrix(cands, model.vocab)
    plain = _one_by_one(cands, model.vocab)
    assert shared.shape == plain.shape and shared.shape[0] == len(cands) > 50
    assert np.array_equal(shared.indptr, plain.indptr)
    assert np.array_equal(shared.indices, plain.indices)
    assert set(shared.data) == {1.0}  # a cue word twice in a sentence is one feature
    assert features_matrix([], model.vocab).shape == (0, len(model.vocab))


def test_early_stopped_scores_equal_full_ones_where_they_matter(pipeline):
    """EventModel.probabilities stops adding trees for clear negatives only: every
    candidate that scores above 0.05 has the score of the full forest."""
    cands = candidates(pipeline, LIST + "\nKenya thanked Japan for the aid, which arrived on Monday.")
    model = default_model()
    fast = np.array(model.probabilities(cands))
    x = features_matrix(cands, model.vocab)
    full = np.mean([b.predict(x, num_threads=1) for b in model.boosters], axis=0)
    assert (full > 0.05).any() and (fast != full).any()  # some stopped early, some matter
    assert np.array_equal(fast[full > 0.05], full[full > 0.05])
    assert (fast[full <= 0.05] < 0.05).all()
