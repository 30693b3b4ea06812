"""`/api/v1/`: the endpoints, the OpenAPI schema and its documentation page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import pages, views
from . import schema as _schema  # noqa: F401  # registers the token scheme with drf-spectacular

app_name = "api"

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("clauses", views.ClauseViewSet, basename="clause")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("progress-updates", views.ProgressUpdateViewSet, basename="progress-update")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("outreach-events", views.OutreachEventViewSet, basename="outreach-event")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookSubscriptionViewSet, basename="webhook-subscription")

urlpatterns = [
    path("v1/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("v1/docs/", pages.api_docs, name="docs"),
    path("v1/", include(router.urls)),
]
