"""The portal's URLs plus one view that fails, for the error-page tests (`pytest.mark.urls`)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from moa_portal.urls import urlpatterns as portal_urlpatterns


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A view failed, as a bug would make it.")


def broken_context(request: HttpRequest) -> dict:
    """A context processor that fails, as one would with the database down."""
    raise RuntimeError("The request context cannot be built.")


urlpatterns = [*portal_urlpatterns, path("fails/", fails)]
