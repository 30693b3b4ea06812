"""Progress pages; names and querystrings follow the URL contract in the project brief."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "activities"

urlpatterns = [
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("updates/", views.update_list, name="update_list"),
    path("updates/<int:pk>/edit/", views.update_edit, name="update_edit"),
    path("agreements/<slug:slug>/commitments/<str:code>/", views.commitment_detail, name="commitment"),
    path(
        "agreements/<slug:slug>/commitments/<str:code>/updates/new/",
        views.update_create,
        name="update_create",
    ),
    path(
        "agreements/<slug:slug>/commitments/<str:code>/owner/",
        views.commitment_assign,
        name="commitment_assign",
    ),
    path(
        "agreements/<slug:slug>/commitments/<str:code>/owners/",
        views.commitment_owners,
        name="commitment_owners",
    ),
    path(
        "agreements/<slug:slug>/commitments/<str:code>/milestones/new/",
        views.milestone_create,
        name="milestone_create",
    ),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/cancel/", views.milestone_cancel, name="milestone_cancel"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/evidence/", views.meeting_evidence, name="meeting_evidence"),
    path("meetings/<int:pk>/agenda/use-draft/", views.meeting_agenda_use, name="meeting_agenda_use"),
    path("follow-ups/<int:pk>/complete/", views.follow_up_complete, name="follow_up_complete"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/evidence/", views.event_evidence, name="event_evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"),
    # The paths before commitments had one name (bookmarks, links in old e-mails): moved for good.
    path(
        "items/",
        RedirectView.as_view(pattern_name="activities:commitment_list", query_string=True, permanent=True),
    ),
    path(
        "agreements/<slug:slug>/items/<path:rest>",
        RedirectView.as_view(
            url="/agreements/%(slug)s/commitments/%(rest)s", query_string=True, permanent=True
        ),
    ),
]
