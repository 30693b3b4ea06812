from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("contacts/<int:pk>/", views.contact_history, name="contact_history"),
    path("<slug:model>/<int:pk>/", views.record_history, name="object_history"),
]
