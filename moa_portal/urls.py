"""The portal's URL map: each app owns its own urls module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from moa_portal import bench_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="agreements:list", permanent=False), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("agreements/", include("agreements.urls")),
    path("admin/", admin.site.urls),
    path("bench/floor", bench_views.floor, name="bench_floor"),
]
