"""Errors under `/api/` are JSON, whoever answers them.

Most refusals of an API request come from DRF and are JSON already. A few are answered before
any API view runs, by the portal's own guards and Django: a method no view takes (405), a body
too large (413), a control character in the address (400), an address no route matches (404),
a crash (500). Those are HTML pages made for people; here they become `{"detail": …}` with the
same status and headers (Allow, Retry-After), so a program gets what the schema documents.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PATH_PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Connection")


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PATH_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        try:
            phrase = HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = "Error"
        answer = JsonResponse({"detail": phrase}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer
