from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.operations, name="page"),
    path("resend/", views.operations_resend, name="resend"),
]
