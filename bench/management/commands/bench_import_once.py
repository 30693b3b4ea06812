"""Read and import one agreement file, printing how long each half took (for bench_large_agreement).

The import is `manage.py import_agreement`'s, all or nothing; the times leave out the start of
Python and Django, which the child process's wall time includes. Refuses outside the bench
settings, as every bench command does.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandParser

from agreements.agreement_file import read_agreement
from agreements.management.commands.import_agreement import IMPORT_CHECKS
from agreements.services import import_agreement
from bench.guard import require_bench_settings


class Command(BaseCommand):
    help = "Import an agreement file and print the seconds of its reading and of its import (JSON)."
    requires_system_checks = IMPORT_CHECKS  # as manage.py import_agreement

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        require_bench_settings("bench_import_once")
        started = time.perf_counter()
        doc = read_agreement(path)
        read = time.perf_counter() - started
        result = import_agreement(doc=doc)
        written = time.perf_counter() - started - read
        self.stdout.write(
            json.dumps({"read_s": round(read, 2), "write_s": round(written, 2), "summary": result.summary()})
        )
