from django.urls import path

from . import draft_views, views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    # Before <slug>/: "new" is a reserved slug (agreements.lifecycle.RESERVED_SLUGS).
    path("new/", views.agreement_new, name="new"),
    # The agreement picker's suggestions (core.pickers); "lookup" is reserved like "new".
    path("lookup/", views.agreement_lookup, name="lookup"),
    path("new/<int:pk>/", views.upload_preview, name="upload_preview"),
    path("new/read/<int:pk>/", views.reading_review, name="reading_review"),
    path("new/read/<int:pk>/proposals/<int:position>/", views.reading_decide, name="reading_decide"),
    path("new/read/<int:pk>/draft/", views.reading_draft, name="reading_draft"),
    path("<slug:slug>/", views.agreement_detail, name="detail"),
    path("<slug:slug>/text/<int:pk>/", views.text_part, name="text_part"),
    path("<slug:slug>/clauses/<int:pk>/", views.clause, name="clause"),
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
    path(
        "<slug:slug>/termination/non-renewal/withdraw/",
        views.termination_non_renewal_withdraw,
        name="termination_non_renewal_withdraw",
    ),
    path("<slug:slug>/termination/renewal/", views.termination_renewal, name="termination_renewal"),
    # Editing a draft (agreements/draft_views.py).
    path("<slug:slug>/draft/", draft_views.draft_edit, name="draft"),
    path("<slug:slug>/draft/clauses/new/", draft_views.clause_new, name="draft_clause_new"),
    path("<slug:slug>/draft/clauses/<int:pk>/", draft_views.clause_edit, name="draft_clause_edit"),
    path("<slug:slug>/draft/clauses/<int:pk>/move/", draft_views.clause_move, name="draft_clause_move"),
    path("<slug:slug>/draft/clauses/<int:pk>/delete/", draft_views.clause_delete, name="draft_clause_delete"),
    path("<slug:slug>/draft/commitments/new/", draft_views.commitment_new, name="draft_commitment_new"),
    path(
        "<slug:slug>/draft/commitments/<int:pk>/", draft_views.commitment_edit, name="draft_commitment_edit"
    ),
    path(
        "<slug:slug>/draft/commitments/<int:pk>/delete/",
        draft_views.commitment_delete,
        name="draft_commitment_delete",
    ),
    path("<slug:slug>/draft/obligations/new/", draft_views.obligation_new, name="draft_obligation_new"),
    path(
        "<slug:slug>/draft/obligations/<int:pk>/", draft_views.obligation_edit, name="draft_obligation_edit"
    ),
    path(
        "<slug:slug>/draft/obligations/<int:pk>/delete/",
        draft_views.obligation_delete,
        name="draft_obligation_delete",
    ),
    path("<slug:slug>/draft/signatories/<int:pk>/", draft_views.signatory_edit, name="draft_signatory_edit"),
]
