from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    # Before <slug>/: "new" is a reserved slug (agreements.lifecycle.RESERVED_SLUGS).
    path("new/", views.agreement_new, name="new"),
    path("new/<int:pk>/", views.upload_preview, name="upload_preview"),
    path("new/read/<int:pk>/", views.reading_review, name="reading_review"),
    path("new/read/<int:pk>/proposals/<int:position>/", views.reading_decide, name="reading_decide"),
    path("new/read/<int:pk>/draft/", views.reading_draft, name="reading_draft"),
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
]
