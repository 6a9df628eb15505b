"""The learned extractor's decisions (events/model.py): the key model's view of an article,
the decision rule, and the model file. Their quality is measured by cross-validation
(test_eval_gate.py); these pin the mechanics."""
from __future__ import annotations

import numpy as np
import pytest

from aidtrace.errors import DataFileError
from aidtrace.events.candidates import Candidate
from aidtrace.events.model import (KEY_FEATURES, MODEL_VERSION, EventModel, decide,
                                   default_model, key_features)


def cand(sentence, typ, source, target, rule_key=False):
    return Candidate(sentence, typ, source, target, trigger=0, parts=(), rule_key=rule_key)


def test_key_features_see_the_rivals_of_a_key():
    cands = [cand(0, "AID", "USA", "PAK", rule_key=True), cand(1, "AID", "USA", "PAK"),
             cand(1, "AID", "PAK", "USA"), cand(2, "COOPERATE", "USA", "PAK"),
             cand(2, "AID", "USA", "IND"), cand(3, "AID", "USA", None)]
    probs = [0.9, 0.3, 0.4, 0.6, 0.2, 0.1]
    keys, rows = key_features(cands, probs)
    assert rows.shape == (5, len(KEY_FEATURES))
    row = dict(zip(KEY_FEATURES, rows[keys.index(("AID", "USA", "PAK"))]))
    assert row["best"] == 0.9 and row["second"] == 0.3
    assert row["n_likely"] == 2 and row["n_sentences"] == 2
    assert row["reverse"] == 0.4 and row["other_type"] == 0.6
    assert row["other_target"] == 0.2 and row["n_targets"] == 3  # PAK, IND and none
    assert row["rule"] == 1 and row["no_target"] == 0
    assert row["margin"] == pytest.approx(0.9 - 0.4)
    none = dict(zip(KEY_FEATURES, rows[keys.index(("AID", "USA", None))]))
    assert none["no_target"] == 1 and none["reverse"] == 0 and none["other_target"] == 0.9
    assert key_features([], [])[1].shape == (0, len(KEY_FEATURES))


class FixedScores:
    """The candidate model replaced by fixed scores, to test the decision rule alone."""

    def __init__(self, scores):
        self.scores = scores

    def predict(self, matrix, **_):
        return np.array(self.scores[: matrix.shape[0]])


def test_without_a_key_model_a_key_is_its_best_candidate():
    cands = [cand(0, "AID", "USA", "PAK"), cand(1, "AID", "USA", "PAK"),
             cand(2, "AID", "USA", "PAK"), cand(0, "SUPPORT", "PAK", "USA")]
    model = EventModel(vocab={"x": 0}, boosters=[FixedScores([0.8, 0.5, 0.2, 0.3])],
                       thresholds={"*": 0.4})
    chosen = decide(model, cands)
    # the key's best sentence and the other sentence above the threshold; SUPPORT is below
    assert [(c.key, c.sentence, p) for c, p in chosen] == \
        [(("AID", "USA", "PAK"), 0, 0.8), (("AID", "USA", "PAK"), 1, 0.5)]


def test_the_key_model_scales_each_sentence_of_its_key():
    cands = [cand(0, "AID", "USA", "PAK"), cand(1, "AID", "USA", "PAK")]

    class KeyScore:  # the key model says 0.6 of a key whose best candidate says 0.8
        def predict(self, rows, **_):
            return np.full(len(rows), 0.6)

    model = EventModel(vocab={"x": 0}, boosters=[FixedScores([0.8, 0.5])], thresholds={"*": 0.4},
                       key_booster=KeyScore())
    assert [(c.sentence, p) for c, p in decide(model, cands)] == [(0, 0.6)]  # 0.5 * 0.75 < 0.4
    model.thresholds = {"*": 0.3}
    assert [(c.sentence, round(p, 3)) for c, p in decide(model, cands)] == [(0, 0.6), (1, 0.375)]
    model.thresholds = {"*": 0.7}
    assert decide(model, cands) == []


def test_the_shipped_model_round_trips(tmp_path):
    model = default_model()
    assert model.key_booster is not None and set(model.thresholds) == {"*"}
    assert len(model.boosters) == model.meta["ensemble"] > 1
    path = tmp_path / "m.json"
    model.save(path)
    again = EventModel.load(path)
    assert again.vocab == model.vocab and again.thresholds == model.thresholds
    rows = np.random.default_rng(1).random((20, len(KEY_FEATURES)))
    rows[:, KEY_FEATURES.index("type")] = 0
    assert np.array_equal(again.key_booster.predict(rows), model.key_booster.predict(rows))
    x = np.random.default_rng(2).integers(0, 2, (20, len(model.vocab))).astype(float)
    for a, b in zip(again.boosters, model.boosters, strict=True):
        assert np.array_equal(a.predict(x), b.predict(x))


def test_a_model_of_another_version_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "old.json"
    default_model().save(path)
    path.write_text(path.read_text().replace(f'"{MODEL_VERSION}"', '"aidtrace-learned/1"'))
    with pytest.raises(DataFileError, match="rebuild it with `aidtrace train`"):
        EventModel.load(path)

