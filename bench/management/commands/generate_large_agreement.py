"""Write a large agreement file of N clauses (bench/large_agreement.py), the same on every run."""

import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandParser

from bench.large_agreement import large_agreement

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Command(BaseCommand):
    help = "Write an agreement file (schema moa-portal/agreement@2) of N clauses nested in articles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clauses", type=int, default=2000)
        parser.add_argument("--slug", default=None, help="The agreement's slug (default large-<N>).")
        parser.add_argument(
            "--out", required=True, help="The file to write: JSON if it ends in .json, else YAML."
        )

    def handle(self, *args, clauses: int, slug: str | None, out: str, **options) -> None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = large_agreement(clauses, slug=slug)
        with path.open("w", encoding="utf-8") as f:
            if path.suffix == ".json":
                json.dump(data, f, ensure_ascii=False, indent=1, default=str)  # dates as YYYY-MM-DD
            else:
                yaml.dump(data, f, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
        kinds = ("objectives", "joint_activities", "strategic_goals", "action_items")
        commitments = sum(len(data[k]) for k in kinds)
        self.stdout.write(
            f"{path}: {len(data['sections']):,} clauses, {commitments:,} commitments, "
            f"{len(data['obligations']):,} obligations"
        )
