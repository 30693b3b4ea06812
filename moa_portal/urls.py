"""The portal's URL map: each app owns its own urls module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from activities import views as activities_views
from people.signin import ThrottledPasswordResetForm, UnlockingSetPasswordForm

from .accounts import SignInView
from .health import healthz, healthz_detail, metrics
from .views import keep_alive, landing


@login_not_required
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the portal's own sign-in page (system-use notice, second
    factor, Force SSO, the address budget), never through a password form of its own."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_sign_in  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("", landing, name="landing"),
    path("my-work/", activities_views.my_work, name="my_work"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=UnlockingSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("people.account_urls")),
    path("contacts/", include("contacts.urls")),
    path("people/", include("people.urls")),
    path("search/", include("search.urls")),
    path("audit/", include("audit.urls")),
    path("agreements/", include("agreements.urls")),
    path("", include("activities.urls")),
    path("admin/", admin.site.urls),
    path("", include("compliance.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path("accounts/tokens/", include("api.token_urls")),
    path("operations/", include("notifications.operations_urls")),
    path("webhooks/", include("notifications.webhook_urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/detail", healthz_detail, name="healthz_detail"),
    path("metrics", metrics, name="metrics"),
    path("session/keep-alive/", keep_alive, name="keep_alive"),
]
