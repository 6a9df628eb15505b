"""Scoring extracted events against gold annotations, and saying why they differ.

``score`` follows the reference scorer (shared/tools/score.py) rule for rule — keys,
optional events, attribute matching — so that ``aidtrace eval`` and the reference print the
same figures (a test holds them together). On top, ``explain`` sorts every miss and false
positive by its likely cause, and ``calibration`` checks that confidence means something.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SYMMETRIC = {"CONSULT"}
Key = tuple[str | None, str | None, str | None]


def code(actor: Any) -> str | None:
    if actor is None:
        return None
    if isinstance(actor, dict):
        actor = actor.get("code")
    return str(actor).upper() if actor else None


def key(ev: dict[str, Any]) -> Key:
    t, s, g = ev.get("type"), code(ev.get("source")), code(ev.get("target"))
    if t in SYMMETRIC and s and g:
        s, g = sorted([s, g])
    return (t, s, g)


def _item_classes(ev: dict[str, Any]) -> set[str]:
    return {i.get("item_class") for i in ev.get("items") or [] if i.get("item_class")}


def _close(a: float | None, b: float | None, tol: float = 0.02) -> bool:
    return a is not None and b is not None and abs(a - b) <= tol * max(abs(a), abs(b), 1e-9)


def _money(ev: dict[str, Any]) -> tuple[float, str] | None:
    v = ev.get("value")
    if not isinstance(v, dict) or v.get("amount") is None:
        return None
    return float(v["amount"]), str(v.get("currency") or "").upper()


def _date_ok(gold: dict[str, Any], pred: dict[str, Any]) -> bool | None:
    g, prec = gold.get("date"), gold.get("date_precision") or "day"
    if not g:
        return None
    p = pred.get("date")
    if not p:
        return False
    n = {"year": 4, "month": 7, "day": 10}[prec]
    return str(p)[:n] == str(g)[:n]


def attr_scores(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, bool]:
    """Each attribute the gold event states: whether the predicted event agrees."""
    out: dict[str, bool] = {}
    gi = _item_classes(gold)
    if gi:
        out["item_class"] = bool(gi & _item_classes(pred))
    gq = [i for i in gold.get("items") or [] if i.get("quantity") is not None]
    if gq:
        pq = [i for i in pred.get("items") or [] if i.get("quantity") is not None]
        out["quantity"] = all(any(_close(g["quantity"], p.get("quantity")) and
                                  (not g.get("unit") or g["unit"] == p.get("unit")) for p in pq)
                              for g in gq)
    if _money(gold) is not None:
        g, p = _money(gold), _money(pred)
        out["value"] = p is not None and _close(g[0], p[0]) and g[1] == p[1]
    d = _date_ok(gold, pred)
    if d is not None:
        out["date"] = d
    if gold.get("status"):
        out["status"] = gold["status"] == pred.get("status")
    if gold.get("attributed_to"):
        claim = pred.get("claim") or {}
        att = code(claim.get("attributed_to")) if isinstance(claim, dict) else None
        att = att or code(pred.get("attributed_to"))
        out["attributed_to"] = att == gold["attributed_to"].upper()
    if gold.get("target_count") is not None:
        out["target_count"] = pred.get("target_count") == gold["target_count"]
    return out


def _prf(t: int, f_p: int, f_n: int) -> dict[str, Any]:
    p = t / (t + f_p) if t + f_p else 0.0
    r = t / (t + f_n) if t + f_n else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "tp": t, "fp": f_p, "fn": f_n}


def score(gold_rows: list[dict[str, Any]], preds: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Event P/R/F1 overall and per type, attribute accuracy, and the list of errors."""
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in preds:
        by_article[str(p.get("article"))].append(p)
    tp = fp = fn = 0
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    attrs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[dict[str, Any]] = []
    for row in gold_rows:
        art = str(row["article"])
        gold = row.get("events") or []
        required = {key(e) for e in gold if not e.get("optional")}
        optional = {key(e) for e in gold} - required
        pred = by_article.get(art, [])
        pkeys = {key(e) for e in pred}
        for k in pkeys:
            if k in required:
                tp += 1
                per_type[k[0]][0] += 1
            elif k not in optional:
                fp += 1
                per_type[k[0]][1] += 1
                errors.append({"article": art, "kind": "false_positive", "key": k,
                               "evidence": next((e.get("evidence") for e in pred if key(e) == k), None)})
        for k in required - pkeys:
            fn += 1
            per_type[k[0]][2] += 1
            errors.append({"article": art, "kind": "missed", "key": k,
                           "evidence": next((e.get("evidence") for e in gold
                                             if key(e) == k and not e.get("optional")), None)})
        for g in gold:
            if g.get("optional") or key(g) not in pkeys:
                continue
            cands = [attr_scores(g, p) for p in pred if key(p) == key(g)]
            best = max(cands, key=lambda d: sum(d.values()))
            for name, ok in best.items():
                attrs[name][0] += int(ok)
                attrs[name][1] += 1
    return {
        "events": _prf(tp, fp, fn),
        "per_type": {t: _prf(*v) for t, v in sorted(per_type.items(), key=lambda kv: str(kv[0]))},
        "attributes": {a: {"accuracy": round(c / n, 4), "n": n} for a, (c, n) in sorted(attrs.items())},
        "articles": len(gold_rows),
        "errors": errors,
    }


def explain(gold_rows: list[dict[str, Any]], preds: list[dict[str, Any]],
            mentions: dict[str, set[str]] | None = None) -> list[dict[str, Any]]:
    """Each miss and false positive with a likely cause, so the next fix is obvious.

    Causes: wrong type, wrong direction, list not expanded, context needed, actor not
    resolved (the code never appears among the article's mentions), wrong source, wrong
    target, trigger missed; for false positives: wrong type, wrong direction, wrong source,
    wrong target, spurious.
    """
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in preds:
        by_article[str(p.get("article"))].append(p)
    out = []
    for row in gold_rows:
        art = str(row["article"])
        gold = row.get("events") or []
        gkeys = {key(e) for e in gold}
        required = {key(e) for e in gold if not e.get("optional")}
        pred = by_article.get(art, [])
        pkeys = {key(p) for p in pred}
        known = (mentions or {}).get(art)
        for g in gold:
            k = key(g)
            if g.get("optional") or k in pkeys or any(o["key"] == k and o["article"] == art
                                                     for o in out):
                continue
            t, s, tg = k
            siblings = [e for e in gold if e.get("evidence") == g.get("evidence") and key(e) != k
                        and e.get("type") == t and not e.get("optional")]
            if any((t2, s2, g2) for (t2, s2, g2) in pkeys if (s2, g2) == (s, tg) and t2 != t):
                cause = "wrong type"
            elif (t, tg, s) in pkeys:
                cause = "wrong direction"
            elif siblings and any(key(e) in pkeys for e in siblings):
                cause = "list not expanded"
            elif known is not None and (s not in known or (tg is not None and tg not in known)):
                cause = "actor not resolved"
            elif g.get("hard"):
                cause = "context needed"
            elif any(p[0] == t and p[1] == s for p in pkeys):
                cause = "wrong target"
            elif any(p[0] == t and p[2] == tg for p in pkeys):
                cause = "wrong source"
            else:
                cause = "trigger missed"
            out.append({"article": art, "kind": "missed", "key": k, "cause": cause,
                        "sentence": g.get("evidence")})
        for p in pred:
            k = key(p)
            if k in gkeys or any(o["key"] == k and o["article"] == art for o in out):
                continue
            t, s, tg = k
            if any((s2, g2) == (s, tg) for (_, s2, g2) in required):
                cause = "wrong type"
            elif (t, tg, s) in required:
                cause = "wrong direction"
            elif any(r[0] == t and r[2] == tg for r in required):
                cause = "wrong source"
            elif any(r[0] == t and r[1] == s for r in required):
                cause = "wrong target"
            else:
                cause = "spurious"
            ev = p.get("evidence") or {}
            out.append({"article": art, "kind": "false_positive", "key": k, "cause": cause,
                        "sentence": ev.get("sentence") if isinstance(ev, dict) else ev,
                        "trigger": ev.get("trigger") if isinstance(ev, dict) else None})
    return out


def calibration(gold_rows: list[dict[str, Any]], preds: list[dict[str, Any]],
                bins: tuple[float, ...] = (0.0, 0.4, 0.6, 0.8, 1.01)) -> list[dict[str, Any]]:
    """Share of predicted events whose key is in the gold (required or optional), by confidence."""
    gold_keys = {str(r["article"]): {key(e) for e in r.get("events") or []} for r in gold_rows}
    counts = [[0, 0] for _ in bins[:-1]]
    for p in preds:
        art = str(p.get("article"))
        if art not in gold_keys:
            continue
        c = float(p.get("confidence") or 0)
        for b in range(len(bins) - 1):
            if bins[b] <= c < bins[b + 1]:
                counts[b][0] += int(key(p) in gold_keys[art])
                counts[b][1] += 1
    return [{"from": bins[b], "to": min(bins[b + 1], 1.0), "events": n,
             "correct": round(c / n, 4) if n else None}
            for b, (c, n) in enumerate(counts)]


def format_report(rep: dict[str, Any]) -> str:
    """The reference scorer's text layout, line for line."""
    e = rep["events"]
    lines = [f"articles {rep['articles']}  events P {e['precision']:.3f} R {e['recall']:.3f} "
             f"F1 {e['f1']:.3f}  (tp {e['tp']} fp {e['fp']} fn {e['fn']})"]
    for t, v in rep["per_type"].items():
        lines.append(f"  {t:10s} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f}")
    for name, v in rep["attributes"].items():
        lines.append(f"  attr {name:14s} {v['accuracy']:.3f} (n={v['n']})")
    return "\n".join(lines)


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cause_counts(explained: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for e in explained:
        out[e["kind"]][e["cause"]] += 1
    return {k: dict(v.most_common()) for k, v in out.items()}
