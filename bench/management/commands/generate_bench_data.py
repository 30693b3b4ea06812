"""Generate the benchmark's large dataset (see bench/data.py and docs/performance.md).

Bulk inserts: django-simple-history records nothing for these rows, which is fine for a
benchmark. Run it on a database of its own (`make bench` uses `moa_bench`), with the bench
settings: anywhere else it refuses.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.data import Plan, bench_data_present, generate_bench_data
from bench.guard import require_bench_settings


class Command(BaseCommand):
    help = "Generate 200 MOA-shaped agreements with ten years of updates, meetings, milestones and users."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full size (0.01 for a small run)."
        )
        parser.add_argument("--seed", type=int, default=2017)

    def handle(self, *args, scale: float, seed: int, **options) -> None:
        require_bench_settings("generate_bench_data")
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data is loaded with PostgreSQL's COPY: use PostgreSQL.")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if bench_data_present():
            self.stdout.write("Benchmark data is already present; nothing generated.")
            return
        plan = Plan.at_scale(scale, seed=seed)
        self.stdout.write(
            f"Generating {plan.agreements} agreements, {plan.updates:,} progress updates, "
            f"{plan.meetings:,} meetings, {plan.milestones:,} milestones, {plan.users:,} users "
            "(bulk inserts: no audit history for these rows)"
        )
        report = generate_bench_data(plan=plan, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Generated in {report.total_seconds:.1f} s."))
