"""The bench times the jobs by dotted path: every path must name a function that exists.

Neither import-linter nor the rest of the suite would notice a job service that moved.
"""

from bench.management.commands.bench_jobs import JOBS, _function


def test_every_job_the_bench_times_names_an_existing_function():
    paths = [path for job in JOBS for path in job[1:] if isinstance(path, str)]
    assert paths
    for path in paths:
        assert callable(_function(path)), path
