from django.urls import path

from . import people

app_name = "people"

urlpatterns = [
    path("", people.user_list, name="list"),
    path("new/", people.user_create_view, name="create"),
    path("<int:pk>/edit/", people.user_edit_view, name="edit"),
    path("<int:pk>/unlock/", people.user_unlock_view, name="unlock"),
    path("locked/", people.locked_list, name="locked"),
    path("email-change/approve/<str:token>/", people.email_change_approve_view, name="email_change_approve"),
    path("email-change/confirm/<str:token>/", people.email_change_confirm_view, name="email_change_confirm"),
]
