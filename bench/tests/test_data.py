"""The benchmark's data generator, at a tiny scale: the counts asked for, and data that holds together."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count

from activities.models import Meeting, Milestone, ProgressUpdate
from agreements.models import Agreement, AgreementStatus, Commitment, PartyMembership
from agreements.permissions import MANAGER, has_role, visible_agreements
from bench.data import BENCH_USERNAME, Plan, generate_bench_data
from contacts.models import PointOfContact

PLAN = Plan.at_scale(0.01)  # 2 agreements, 5,000 updates, 80 meetings, 400 milestones, 20 users


@pytest.fixture
def bench(db):
    return generate_bench_data(plan=PLAN, log=lambda line: None)


def test_generator_writes_the_counts_of_its_plan(bench):
    assert Agreement.objects.filter(slug__startswith="bench-").count() == PLAN.agreements
    assert ProgressUpdate.objects.count() == PLAN.updates
    assert Meeting.objects.count() == PLAN.meetings
    assert Milestone.objects.count() == PLAN.milestones
    assert PartyMembership.objects.count() == PLAN.users


def test_every_generated_agreement_has_the_moas_shape(bench):
    for agreement in Agreement.objects.filter(slug__startswith="bench-"):
        parties = agreement.parties.count()
        kinds = dict(agreement.commitments.values_list("kind").annotate(n=Count("pk")))
        assert 2 <= parties <= 4
        assert kinds[Commitment.Kind.OBJECTIVE] == 6
        assert kinds[Commitment.Kind.JOINT_ACTIVITY] == 5
        assert kinds[Commitment.Kind.STRATEGIC_GOAL] >= 9
        assert kinds[Commitment.Kind.ACTION_ITEM] >= 10
        assert agreement.signatories.count() == parties
        assert (
            PointOfContact.objects.filter(agreement=agreement).values("party").distinct().count() == parties
        )
        assert agreement.status == AgreementStatus.IN_FORCE


def test_generated_items_point_only_within_their_own_agreement(bench):
    items = Commitment.objects.select_related("source_section", "goal")
    assert all(c.source_section.agreement_id == c.agreement_id for c in items)
    assert all(c.goal.agreement_id == c.agreement_id for c in items if c.goal_id)
    assert all(c.goal.kind == Commitment.Kind.STRATEGIC_GOAL for c in items if c.goal_id)


def test_each_items_status_is_its_latest_updates_status(bench):
    for item in Commitment.objects.all():
        assert item.status == item.updates.latest().status


def test_updates_are_reported_by_a_party_to_the_agreement_and_a_member_of_it(bench):
    for update in ProgressUpdate.objects.select_related("commitment__agreement", "author__membership")[:500]:
        assert update.commitment.agreement.parties.filter(pk=update.reporting_party_id).exists()
        assert update.author.membership.party_id == update.reporting_party_id


def test_the_bench_user_is_a_manager_who_sees_every_generated_agreement(bench):
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    assert has_role(user, MANAGER)
    assert visible_agreements(user).count() == PLAN.agreements


def test_command_generates_nothing_when_the_data_is_already_there(bench, capsys):
    call_command("generate_bench_data", "--scale", "0.01")
    assert "already present" in capsys.readouterr().out
    assert ProgressUpdate.objects.count() == PLAN.updates


def test_no_generated_user_can_sign_in_with_a_password(bench):
    users = get_user_model().objects.filter(username__startswith="bench.")
    assert users.count() == PLAN.users
    assert not any(user.has_usable_password() for user in users)


def test_command_refuses_to_run_outside_the_bench_settings(db, settings, capsys):
    settings.BENCH = False
    with pytest.raises(CommandError, match="benchmarks only"):
        call_command("generate_bench_data", "--scale", "0.01")
    assert "Generating" not in capsys.readouterr().out
    assert not Agreement.objects.exists()


class _RolledBack(Exception):
    pass


def _generated_then_rolled_back(plan: Plan, read):
    """What `read` finds right after generating `plan`, with the rows rolled back afterwards."""
    found = None
    try:
        with transaction.atomic():
            generate_bench_data(plan=plan, log=lambda line: None)
            found = read()
            raise _RolledBack
    except _RolledBack:
        return found


def _counts() -> dict[str, int]:
    return {
        "agreements": Agreement.objects.filter(slug__startswith="bench-").count(),
        "updates": ProgressUpdate.objects.count(),
        "meetings": Meeting.objects.count(),
        "milestones": Milestone.objects.count(),
        "users": get_user_model().objects.filter(username__startswith="bench.").count(),
    }


def _fingerprint() -> dict[str, list]:
    """The generated rows by what they say, never by primary key (which differs between runs)."""
    return {
        "users": list(
            get_user_model()
            .objects.filter(username__startswith="bench.")
            .order_by("username")
            .values_list("username", "membership__party__acronym", "groups__name")
        ),
        "items": list(
            Commitment.objects.order_by("agreement__slug", "position").values_list(
                "agreement__slug", "code", "status", "owner__username", "target_date"
            )
        ),
        "updates": list(
            ProgressUpdate.objects.order_by(
                "commitment__agreement__slug", "commitment__code", "as_of"
            ).values_list(
                "commitment__agreement__slug",
                "commitment__code",
                "as_of",
                "status",
                "percent_complete",
                "narrative",
                "next_steps",
                "reporting_party__acronym",
                "author__username",
                "created_at",
            )
        ),
        "meetings": list(
            Meeting.objects.order_by("agreement__slug", "starts_at").values_list(
                "agreement__slug", "kind", "title", "starts_at", "format", "minutes", "organiser__username"
            )
        ),
        "milestones": list(
            Milestone.objects.order_by(
                "commitment__agreement__slug", "commitment__code", "due_on"
            ).values_list(
                "commitment__agreement__slug", "title", "due_on", "completed_on", "owner_user__username"
            )
        ),
    }


def test_plan_at_scale_ten_is_the_issues_size():
    plan = Plan.at_scale(10)
    assert (plan.agreements, plan.updates, plan.meetings, plan.milestones, plan.users) == (
        2_000,
        5_000_000,
        80_000,
        400_000,
        20_000,
    )


def test_counts_grow_in_proportion_to_the_scale(db):
    small = _generated_then_rolled_back(Plan.at_scale(0.01), _counts)
    double = _generated_then_rolled_back(Plan.at_scale(0.02), _counts)
    assert double == {kind: 2 * n for kind, n in small.items()}


def test_the_same_seed_generates_the_same_rows(db):
    first = _generated_then_rolled_back(PLAN, _fingerprint)
    second = _generated_then_rolled_back(PLAN, _fingerprint)
    assert first == second
    assert len(first["updates"]) == PLAN.updates


def test_another_seed_generates_other_rows(db):
    first = _generated_then_rolled_back(PLAN, _fingerprint)
    other = _generated_then_rolled_back(Plan.at_scale(0.01, seed=7), _fingerprint)
    assert first["updates"] != other["updates"]


def _indexes_and_foreign_keys() -> set[tuple[str, str]]:
    tables = [m._meta.db_table for m in (ProgressUpdate, Milestone, Meeting)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s)",
            [tables, tables],
        )
        return set(cursor.fetchall())


def test_indexes_and_foreign_keys_dropped_for_the_load_are_all_back(db):
    before = _indexes_and_foreign_keys()
    assert _generated_then_rolled_back(PLAN, _indexes_and_foreign_keys) == before


def test_updates_of_each_item_move_forward_on_the_weekly_grid(bench):
    for item in Commitment.objects.all()[:20]:
        days = list(item.updates.order_by("as_of").values_list("as_of", flat=True))
        assert days == sorted(days)
        assert all((day - days[0]).days % 7 == 0 for day in days)
        assert days[0] > item.agreement.executed_on
