from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create_view, name="create"),
    path("<int:pk>/edit/", views.user_edit_view, name="edit"),
    path("<int:pk>/unlock/", views.user_unlock_view, name="unlock"),
    path("locked/", views.locked_list, name="locked"),
    path("email-change/approve/<str:token>/", views.email_change_approve_view, name="email_change_approve"),
    path("email-change/confirm/<str:token>/", views.email_change_confirm_view, name="email_change_confirm"),
]
