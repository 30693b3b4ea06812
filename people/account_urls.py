"""The sign-in pages around the password form: notice, second factor, single sign-on."""

from django.urls import path

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("notice/", account_views.notice_view, name="notice"),
]
