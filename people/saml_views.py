"""The SAML sign-on's pages (`accounts:saml_*`): djangosaml2's views, given the portal's rules
(people.saml) for where to start, what to accept and whom to sign in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from djangosaml2 import views as saml_views

from agreements.signals import SIGN_IN_DETAIL

from . import notice, saml, sso
from .account_views import safe_next

CONFIG_LOADER = "people.saml.sp_config"


class Refused(PermissionDenied):
    """A refusal of the portal's own (people.saml.finish), carried through djangosaml2's view."""

    def __init__(self, refusal: sso.SignOnRefused) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class StartView(saml_views.LoginView):
    """Send the visitor to the agency's identity provider (after the system-use notice, if any)."""

    config_loader_path = CONFIG_LOADER

    def get(self, request: HttpRequest, *args: Any, provider: str = "", **kwargs: Any) -> HttpResponse:
        if provider not in settings.SAML_PROVIDERS:
            raise Http404("No such identity provider.")
        if notice.notice_required(request):
            return redirect(f"{reverse('accounts:notice')}?{urlencode({'next': request.get_full_path()})}")
        p = saml.provider(provider)
        query = QueryDict(mutable=True)
        query.update({"idp": p.entity_id, "next": safe_next(request, default=reverse("landing"))})
        request.GET = query  # type: ignore[assignment]  # what the parent view reads
        saml.started(request.saml_session, p)  # type: ignore[attr-defined]  # djangosaml2's session
        try:
            return super().get(request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the provider's metadata missing or unreadable
            saml.logger.warning("SAML sign-on through %s could not start: %r", p.slug, exc)
            raise PermissionDenied(
                f"Signing in with {p.name} is not possible right now: the portal cannot read the "
                "identity provider's details. Try again later, or sign in another way."
            ) from exc


class AnswerView(saml_views.AssertionConsumerServiceView):
    """The provider's answer (POST binding): sign in the matching portal account, or refuse and
    say why. pysaml2 has checked the answer before `authenticate_user` is called."""

    config_loader_path = CONFIG_LOADER

    def handle_acs_failure(
        self, request: HttpRequest, exception: BaseException | None = None, status: int = 403, **kwargs: Any
    ) -> HttpResponse:
        refusal = exception.refusal if isinstance(exception, Refused) else saml.refusal_for(exception)
        saml.refused(request, refusal)
        raise PermissionDenied(str(refusal))

    def authenticate_user(
        self, request: HttpRequest, session_info: dict[str, Any], *mapping_and_assertion: Any
    ) -> Any:
        try:
            signed_on = saml.finish(request.saml_session, session_info)  # type: ignore[attr-defined]
        except sso.SignOnRefused as refusal:
            raise Refused(refusal) from refusal
        setattr(request, SIGN_IN_DETAIL, saml.describe(signed_on))
        login(request, signed_on.user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        request.session[sso.SIGNED_ON_KEY] = {
            "provider": f"saml:{signed_on.provider.slug}",
            "sub": signed_on.subject,
            "amr": [],
            "acr": signed_on.authn_context,
            "authorities": signed_on.authn_authorities,
        }
        return signed_on.user

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "SAMLResponse" not in request.POST:
            return self.handle_acs_failure(request, exception=None)
        try:
            return super().post(request)
        except PermissionDenied:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. the providers' metadata unreadable
            return self.handle_acs_failure(request, exception=exc)

    def build_relay_state(self) -> str:
        """Only a path on this site (djangosaml2 would also follow a URL name)."""
        relay = self.request.POST.get("RelayState", "")
        return relay if relay.startswith("/") and not relay.startswith("//") else reverse("landing")


class MetadataView(saml_views.MetadataView):
    """The portal's own metadata, for the agencies to register it with their identity provider."""

    config_loader_path = CONFIG_LOADER

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SAML_PROVIDERS:
            raise Http404("SAML sign-on is not configured.")
        try:
            return super().get(request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a provider's metadata unreadable
            saml.logger.warning("SAML metadata could not be built: %r", exc)
            return HttpResponse(
                "The portal's SAML metadata cannot be built right now: an identity provider's "
                "metadata could not be read.",
                status=503,
                content_type="text/plain",
            )
