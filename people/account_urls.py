"""The sign-in pages around the password form: notice, second factor, single sign-on."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import account_views, saml_views

app_name = "accounts"

urlpatterns = [
    path("notice/", account_views.notice_view, name="notice"),
    path("login/code/", account_views.mfa_verify_view, name="mfa_verify"),
    path(
        "login/code/passkey/options/",
        account_views.mfa_verify_passkey_options_view,
        name="mfa_verify_passkey_options",
    ),
    path("login/code/passkey/", account_views.mfa_verify_passkey_view, name="mfa_verify_passkey"),
    path("security/", account_views.mfa_overview_view, name="mfa"),
    path("security/app/", account_views.mfa_app_view, name="mfa_app"),
    path("security/recovery-codes/", account_views.mfa_recovery_codes_view, name="mfa_recovery_codes"),
    path("security/recovery-codes/renew/", account_views.mfa_recovery_renew_view, name="mfa_recovery_renew"),
    path("security/app/remove/", account_views.mfa_remove_view, name="mfa_remove"),
    path("security/passkeys/options/", account_views.mfa_passkey_options_view, name="mfa_passkey_options"),
    path("security/passkeys/add/", account_views.mfa_passkey_add_view, name="mfa_passkey_add"),
    path(
        "security/passkeys/<int:pk>/remove/",
        account_views.mfa_passkey_remove_view,
        name="mfa_passkey_remove",
    ),
    path("sso/<slug:provider>/start/", account_views.sso_start_view, name="sso_start"),
    path("sso/<slug:provider>/callback/", account_views.sso_callback_view, name="sso_callback"),
    path(
        "saml/<slug:provider>/start/",
        login_not_required(saml_views.StartView.as_view()),
        name="saml_start",
    ),
    # The provider's answer is a cross-site POST: it carries no CSRF token; its signature and the
    # request it answers (kept in djangosaml2's own session) stand in for it.
    path("saml/acs/", login_not_required(csrf_exempt(saml_views.AnswerView.as_view())), name="saml_acs"),
    path("saml/metadata/", login_not_required(saml_views.MetadataView.as_view()), name="saml_metadata"),
]
