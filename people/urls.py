from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create_view, name="create"),
    path("<int:pk>/edit/", views.user_edit_view, name="edit"),
    path("<int:pk>/unlock/", views.user_unlock_view, name="unlock"),
]
