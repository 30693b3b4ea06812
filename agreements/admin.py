from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin as SimpleHistoryAdmin  # history is read-only

from .models import (
    Agreement,
    Authority,
    Commitment,
    Modification,
    ModificationExecution,
    Obligation,
    Party,
    PartyMembership,
    Section,
    Signatory,
    TerminationNotice,
    TerminationRight,
    VocabularyEntry,
)


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "key", "name", "department"]
    search_fields = ["acronym", "key", "name", "department"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


class AuthorityInline(admin.TabularInline):
    model = Authority
    extra = 0
    autocomplete_fields = ["section"]


class TerminationRightInline(admin.TabularInline):
    model = TerminationRight
    extra = 0


class TerminationNoticeInline(admin.TabularInline):
    """Shown, not edited: notices are given and withdrawn through agreements.services."""

    model = TerminationNotice
    extra = 0
    can_delete = False
    readonly_fields = ["party", "given_on", "effective_on", "withdrawn_on", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "kind", "executed_on", "expires_on", "terminated_on"]
    list_filter = ["kind", "parties"]
    search_fields = ["short_name", "title", "slug"]
    readonly_fields = ["expires_on"]
    filter_horizontal = ["parties"]
    inlines = [AuthorityInline, SignatoryInline, TerminationRightInline, TerminationNoticeInline]


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "heading", "agreement", "position"]
    list_filter = ["agreement"]
    search_fields = ["number", "heading", "text"]
    raw_id_fields = ["parent"]


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["citation", "party", "agreement"]
    list_filter = ["agreement", "party"]
    search_fields = ["citation", "text"]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "kind", "lead_display", "status", "target_date", "owner", "agreement"]
    list_filter = ["agreement", "kind", "status", "lead_parties"]
    search_fields = ["code", "title", "description"]
    raw_id_fields = ["source_section", "goal", "owner"]


@admin.register(Signatory)
class SignatoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "party", "agreement", "signed_on"]
    list_filter = ["agreement", "party"]
    search_fields = ["name", "title"]


class ModificationExecutionInline(admin.TabularInline):
    model = ModificationExecution
    extra = 0


@admin.register(Modification)
class ModificationAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "number", "title", "proposed_on", "extends_term_to"]
    list_filter = ["agreement"]
    search_fields = ["title", "text"]
    inlines = [ModificationExecutionInline]


@admin.register(PartyMembership)
class PartyMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "party"]
    list_filter = ["party"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    """Obligations come from the agreement file; the admin shows them for reference."""

    list_display = ["code", "agreement", "kind", "cadence", "section"]
    list_filter = ["agreement", "kind", "cadence"]
    readonly_fields = [f.name for f in Obligation._meta.fields]


@admin.register(VocabularyEntry)
class VocabularyEntryAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "vocabulary", "key", "label"]
    list_filter = ["agreement", "vocabulary"]
    readonly_fields = [f.name for f in VocabularyEntry._meta.fields]
