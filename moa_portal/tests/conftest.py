"""Fixtures of the resilience tests that other test modules here use too."""

from moa_portal.tests.test_resilience_jobs import own_redis  # noqa: F401  (a throwaway Redis as the broker)
