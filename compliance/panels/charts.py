"""The numbers the dashboard's charts draw (read by static/js/dashboard.js from json_script).

Each series names its `key`; its colour and fill pattern are CSS custom properties keyed by it
(`--chart-<key>`, `--chart-<key>-pattern` in static/css/dashboard.css), beside the table keys.
"""

from __future__ import annotations

from agreements.models import CommitmentStatus

from .commitments import CommitmentsPanel
from .outreach import OutreachPanel


def chart_data(commitments: CommitmentsPanel, outreach: OutreachPanel | None) -> dict:
    """The commitments chart, and the first event obligation's chart when there is one."""
    data = {
        "commitments": {
            "labels": [k.label for k in commitments.by_kind],
            "datasets": [
                {
                    "label": s.label,
                    "key": f"status-{s.value}",
                    "data": [k.cells[i].n for k in commitments.by_kind],
                    "urls": [k.cells[i].url for k in commitments.by_kind],
                }
                for i, s in enumerate(CommitmentStatus)
            ],
        },
    }
    if outreach is not None:
        data["outreach"] = {
            "labels": [str(q.quarter) for q in outreach.quarters],
            "datasets": [
                {
                    "label": place.label,
                    "key": f"venue-{place.key}",
                    "data": [q.places[i].n for q in outreach.quarters],
                    "urls": [q.places[i].url for q in outreach.quarters],
                }
                for i, place in enumerate(outreach.places)
            ],
        }
    return data
