from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    # Before <slug>/: "new" is a reserved slug (agreements.lifecycle.RESERVED_SLUGS).
    path("new/", views.agreement_new, name="new"),
    path("new/<int:pk>/", views.upload_preview, name="upload_preview"),
    path("<slug:slug>/", views.agreement_detail, name="detail"),
    path("<slug:slug>/sign/", views.agreement_sign, name="sign"),
    path("<slug:slug>/modifications/new/", views.modification_new, name="modification_new"),
    path("<slug:slug>/modifications/<int:number>/", views.modification_detail, name="modification_detail"),
    path("<slug:slug>/modifications/<int:number>/edit/", views.modification_edit, name="modification_edit"),
    path(
        "<slug:slug>/modifications/<int:number>/execute/",
        views.modification_execute,
        name="modification_execute",
    ),
    path(
        "<slug:slug>/modifications/<int:number>/withdraw/",
        views.modification_withdraw,
        name="modification_withdraw",
    ),
    path("<slug:slug>/termination/", views.termination_page, name="termination"),
    path("<slug:slug>/termination/withdraw/", views.termination_withdraw, name="termination_withdraw"),
    path("<slug:slug>/termination/mutual/", views.termination_mutual, name="termination_mutual"),
    path(
        "<slug:slug>/termination/non-renewal/", views.termination_non_renewal, name="termination_non_renewal"
    ),
    path("<slug:slug>/termination/renewal/", views.termination_renewal, name="termination_renewal"),
]
