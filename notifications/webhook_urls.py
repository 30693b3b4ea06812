"""A party's webhook subscriptions (`/webhooks/`), for its admins."""

from django.urls import path

from . import webhook_views as views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_create, name="create"),
    path("<int:pk>/", views.webhook_edit, name="edit"),
    path("<int:pk>/pause/", views.webhook_pause, name="pause"),
    path("<int:pk>/rotate/", views.webhook_rotate, name="rotate"),
    path("<int:pk>/delete/", views.webhook_delete, name="delete"),
    path("<int:pk>/test/", views.webhook_test, name="test"),
]
