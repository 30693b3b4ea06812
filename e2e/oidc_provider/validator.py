"""The provider's claims: e-mail, its verification, amr and acr per test user; and, for the
refusal tests, an ID token from another issuer, for another audience or with another nonce."""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class TestValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below goes in the ID token

    def _user(self, request) -> dict:
        return settings.TEST_USERS.get(request.user.get_username(), {})

    def get_additional_claims(self, request):
        user = self._user(request)
        return {
            "email": user.get("email", request.user.email),
            "email_verified": user.get("email_verified", True),
            "amr": user.get("amr", ["pwd", "mfa"]),
            "acr": user.get("acr", "http://idmanagement.gov/ns/assurance/aal/2"),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        claims.update(self._user(request).get("wrong", {}))
        return claims, expiration
