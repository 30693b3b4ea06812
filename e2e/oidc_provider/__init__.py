"""A real OpenID Connect provider for the tests: django-oauth-toolkit in a throwaway Django
project, run as a subprocess on a free loopback port (run.py). Never part of the portal."""
