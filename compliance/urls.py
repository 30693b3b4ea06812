from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:what>.<slug:fmt>", views.export, name="export"),
    path("dashboard/report/", views.report, name="report"),
    path("dashboard/report/<slug:slug>/subscription/", views.report_subscription, name="report_subscription"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
