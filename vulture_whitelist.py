"""Names vulture reports as unused (make test runs it at 80 % confidence) that are in use.

Each line names one, with why vulture cannot see its use. This file is read by vulture
only; nothing imports or runs it.
"""

from types import SimpleNamespace

_ = SimpleNamespace()

# agreements/permissions.py: imported for the `User` type alias, which names it inside a string
# (the other half of the alias, the account model, is imported for type checking only).
_.AnonymousUser

# notifications/services.py `_Delivery.__exit__(self, *exc_info)`: the context-manager protocol
# passes the exception; closing the outbox does not depend on it.
_.exc_info

# notifications/templatetags/notices.py `_day(value, language)`: part of the lru_cache key, so a
# day formatted in one language is not served in another; `date_format` reads the active one.
_.language

# moa_portal/checks.py: Django's system-check framework calls every check with `app_configs`.
_.app_configs

# api/schema.py `AccessTokenScheme.get_security_definition(self, auto_schema)`: drf-spectacular
# calls every authentication extension with the view's schema; the token scheme does not depend on it.
_.auto_schema

# people/saml_views.py `AnswerView.authenticate_user(self, request, session_info, *mapping_and_assertion)`:
# djangosaml2 passes its attribute mapping and assertion details; the portal matches by e-mail.
_.mapping_and_assertion

# core/links.py `_path_of(name, script_prefix, urlconf)`: part of the lru_cache key, so a path
# reversed under one script prefix is not served under another; `reverse` reads the current one.
_.script_prefix
