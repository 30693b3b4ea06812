"""The portal's URL map: each app owns its own urls module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from activities import views as activities_views
from moa_portal import bench_views

from .forms import SignInForm
from .health import healthz

urlpatterns = [
    path("", activities_views.my_work, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("agreements/", include("agreements.urls")),
    path("", include("activities.urls")),
    path("admin/", admin.site.urls),
    path("", include("compliance.urls")),
    path("notifications/", include("notifications.urls")),
    path("healthz", healthz, name="healthz"),
    path("bench/floor", bench_views.floor, name="bench_floor"),
]
