"""A large agreement file of N clauses, for measuring the import and the agreement page (issue 19).

Deterministic: the same N gives the same file, byte for byte. The clauses nest three deep,
as long agreements do (articles, their sections, their paragraphs): about one article per
hundred clauses, ten sections to an article, the rest paragraphs. Tracked items and recurring
obligations come in proportion to the clauses (one commitment per `CLAUSES_PER_COMMITMENT`
clauses, one obligation per `CLAUSES_PER_OBLIGATION`), spread over the four kinds, each made
by a paragraph of its own. The parties and people are fictional (.example addresses).
"""

from __future__ import annotations

import datetime
from typing import Any

SIGNED_ON = datetime.date(2024, 3, 1)
CLAUSES_PER_ARTICLE = 100
SECTIONS_PER_ARTICLE = 10
CLAUSES_PER_COMMITMENT = 20
CLAUSES_PER_OBLIGATION = 200
PARTIES = (
    ("northern-survey-agency", "NSA", "Northern Survey Agency", "Department of Land Records"),
    ("river-basin-authority", "RBA", "River Basin Authority", "Department of Water Resources"),
)
_WORDS = [
    "the",
    "parties",
    "will",
    "share",
    "survey",
    "data,",
    "coordinate",
    "field",
    "work",
    "and",
    "report",
    "on",
    "progress",
    "to",
    "the",
    "joint",
    "committee,",
    "which",
    "reviews",
    "the",
    "plans",
    "of",
    "each",
    "year",
    "and",
    "agrees",
    "on",
    "the",
    "priorities",
    "of",
    "the",
    "next",
]


def _text(i: int, words: int = 28) -> str:
    """A sentence of `words` words, different for each clause, the same on every run."""
    start = (i * 7) % len(_WORDS)
    chosen = [_WORDS[(start + k) % len(_WORDS)] for k in range(words)]
    return f"Clause {i}: " + " ".join(chosen).capitalize() + "."


def _numbers(n: int) -> list[tuple[str, str | None, str]]:
    """(number, parent, heading) of n clauses in document order, parents before children."""
    articles = max(1, round(n / CLAUSES_PER_ARTICLE))
    per_article = [n // articles + (1 if a < n % articles else 0) for a in range(articles)]
    out: list[tuple[str, str | None, str]] = []
    for a, size in enumerate(per_article, start=1):
        article = f"A{a}"
        out.append((article, None, f"Article {a}"))
        rest = size - 1
        sections = min(SECTIONS_PER_ARTICLE, rest)
        paragraphs = rest - sections
        for s in range(1, sections + 1):
            section = f"{article}.{s}"
            out.append((section, article, f"Section {a}.{s}"))
            share = paragraphs // sections + (1 if s <= paragraphs % sections else 0)
            for p in range(1, share + 1):
                out.append((f"{section}.{p}", section, ""))
    return out


def large_agreement(n: int, *, slug: str | None = None) -> dict[str, Any]:
    """The agreement file (schema moa-portal/agreement@2) of n clauses, as a mapping to dump."""
    if n < 20:
        raise ValueError("a large agreement has at least 20 clauses")
    slug = slug or f"large-{n}"
    numbers = _numbers(n)
    sections = [
        {"number": number, "heading": heading or None, "text": _text(i), "parent": parent}
        for i, (number, parent, heading) in enumerate(numbers, start=1)
    ]
    # Items are made by paragraphs (or sections where an article has none), spread evenly.
    leaves = [number for number, parent, _ in numbers if parent is not None and number.count(".") == 2]
    leaves = leaves or [number for number, parent, _ in numbers if parent is not None]
    commitments = max(4, n // CLAUSES_PER_COMMITMENT)
    step = max(1, len(leaves) // commitments)
    makers = [leaves[(k * step) % len(leaves)] for k in range(commitments)]
    kinds: dict[str, list[dict[str, Any]]] = {
        "objectives": [],
        "joint_activities": [],
        "strategic_goals": [],
        "action_items": [],
    }
    goals: list[str] = []
    for k, number in enumerate(makers):
        item: dict[str, Any] = {
            "code": f"C{k + 1}",
            "title": f"Commitment {k + 1} of clause {number}",
            "description": _text(k, 16),
            "section": number,
        }
        kind = ("objectives", "joint_activities", "strategic_goals", "action_items")[k % 4]
        if kind in ("strategic_goals", "action_items"):
            item["leads"] = [PARTIES[(k // 4) % 2][1]]
        else:
            item["leads"] = "all"
        if kind == "strategic_goals":
            goals.append(item["code"])
        if kind == "action_items" and goals:
            item["goal"] = goals[-1]
        kinds[kind].append(item)
    obligations = []
    cadences = ("quarterly", "semiannual", "annual")
    for k in range(max(1, n // CLAUSES_PER_OBLIGATION)):
        number = makers[(k * 3) % len(makers)]
        obligations.append(
            {
                "code": f"O{k + 1}",
                "kind": "meeting",
                "title": f"Review meeting {k + 1} under clause {number}",
                "section": number,
                "parties": "all",
                "cadence": cadences[k % 3],
                "anchor": "calendar",
                "meeting_kinds": ["review"],
            }
        )
    return {
        "schema": "moa-portal/agreement@2",
        "agreement": {
            "slug": slug,
            "short_name": f"NSA–RBA Large Agreement ({n:,} clauses)",
            "title": f"Fictional agreement of {n:,} clauses between the Northern Survey Agency "
            "and the River Basin Authority, generated for the benchmark",
            "kind": "moa",
            "purpose": "A generated agreement for measuring the import and the agreement page at size.",
            "executed_on": SIGNED_ON,
            "execution_source": "Generated (bench/large_agreement.py).",
        },
        "parties": [{"key": k, "acronym": a, "name": name, "department": d} for k, a, name, d in PARTIES],
        "term": {"section": numbers[0][0], "starts": "execution", "ends": "after", "length": {"years": 5}},
        "termination": {
            "section": numbers[0][0],
            "by_one_party": {"notice_days": 90},
            "by_mutual_agreement": True,
        },
        "sections": sections,
        "authorities": [
            {"citation": f"{a} Act § 1", "text": f"Authorizes {a} to enter into agreements.", "party": a}
            for _, a, _, _ in PARTIES
        ],
        **kinds,
        "vocabularies": {"meeting_kinds": [{"key": "review", "label": "Review meeting"}]},
        "obligations": obligations,
        "signatories": [
            {"name": f"Signatory of {a}", "title": f"Director, {name}", "party": a, "signed_on": SIGNED_ON}
            for _, a, name, _ in PARTIES
        ],
        "points_of_contact": [
            {
                "party": a,
                "role_title": "Coordinator",
                "office": "Office of Agreements",
                "person_name": f"Coordinator of {a}",
                "email": f"coordinator@{a.lower()}.example",
                "active_from": SIGNED_ON,
                "coordinator": True,
            }
            for _, a, _, _ in PARTIES
        ],
    }
