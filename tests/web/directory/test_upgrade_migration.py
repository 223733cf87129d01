"""A database made by the main branch before people and organisations moved from ``partnerships`` to
``directory`` keeps every row, id, foreign key, history record and content type when it is migrated.

The test database is migrated back to that schema with Django's migration executor, filled through the
executor's historical models (the old ``partnerships.Organization`` and friends), migrated forward to the
latest migrations, and read through the new models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sectorwise.accounts.models import User
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Affiliation, Organization, OrganizationType, Person, SizeBand
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership

#: The last migrations of the main branch before the move (the other apps did not change with it).
BEFORE_THE_MOVE = [
    ("directory", None),
    ("accounts", "0003_history_oidc_subject"),
    ("partnerships", "0003_importjob"),
]
MOVED_MODELS = (
    "organization",
    "person",
    "affiliation",
    "historicalorganization",
    "historicalperson",
    "historicalaffiliation",
)
WHEN = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30))


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the applied set changes between calls
    state = executor.migrate(targets)
    return state.apps


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps(transactional_db: None) -> Iterator[Any]:
    """The historical models of the schema before the move; the database goes back to the latest after."""
    try:
        yield _migrate(BEFORE_THE_MOVE)
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()


def _history(model: Any, record: Any, *, user: Any) -> Any:
    """A history row as django-simple-history writes it (its signals do not reach historical models)."""
    fields = {
        f.attname: getattr(record, f.attname)
        for f in record._meta.concrete_fields
        if f.attname in {g.attname for g in model._meta.concrete_fields}
    }
    return model.objects.create(
        **fields,
        history_date=WHEN,
        history_type="+",
        history_user_id=user.pk,
        history_change_reason="created before the move",
    )


def _fill(apps: Any) -> dict[str, Any]:
    """Records of every kind the move touches, with ids that are not simply 1, 2, 3."""
    old = {name: apps.get_model("partnerships", name) for name in ("Organization", "Person", "Affiliation")}
    assert old["Organization"]._meta.db_table == "partnerships_organization"
    Region = apps.get_model("partnerships", "Region")
    Partnership = apps.get_model("partnerships", "SectorPartnership")
    Member = apps.get_model("partnerships", "Membership")
    UserModel = apps.get_model("accounts", "User")

    gone = old["Organization"].objects.create(name="Deleted Co", type="employer")
    board = old["Organization"].objects.create(
        name="North Board", type="workforce_board", county_fips="50007"
    )
    gone_id = gone.pk
    gone.delete()  # a gap in the ids
    employer = old["Organization"].objects.create(
        name="Acme Tools", type="employer", naics_code="333515", size_band=SizeBand.FROM_50, city="Barre"
    )
    person = old["Person"].objects.create(first_name="Ada", last_name="Byron", email="ada@example.org")
    affiliation = old["Affiliation"].objects.create(
        person=person, organization=employer, title="Plant manager"
    )
    region = Region.objects.create(name="North", source="hand")
    partnership = Partnership.objects.create(name="North Manufacturing", region=region, convener=board)
    convener_membership = Member.objects.create(partnership=partnership, organization=board, role="convener")
    employer_membership = Member.objects.create(
        partnership=partnership, organization=employer, role="employer_member", representative=person
    )
    user = UserModel.objects.create(username="convener", role="convener", organization=board)

    histories = {
        "organization": _history(
            apps.get_model("partnerships", "HistoricalOrganization"), employer, user=user
        ),
        "person": _history(apps.get_model("partnerships", "HistoricalPerson"), person, user=user),
        "affiliation": _history(
            apps.get_model("partnerships", "HistoricalAffiliation"), affiliation, user=user
        ),
        "membership": _history(
            apps.get_model("partnerships", "HistoricalMembership"),
            employer_membership,
            user=user,
        ),
        "user": _history(apps.get_model("accounts", "HistoricalUser"), user, user=user),
    }

    content_types = apps.get_model("contenttypes", "ContentType")
    old_type_ids = {
        model: content_types.objects.get_or_create(app_label="partnerships", model=model)[0].pk
        for model in MOVED_MODELS
    }
    permission = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type_id=old_type_ids["organization"],
        codename="change_organization",
        defaults={"name": "Can change organization"},
    )[0]
    log_entry = apps.get_model("admin", "LogEntry").objects.create(
        action_time=WHEN,
        user_id=user.pk,
        content_type_id=old_type_ids["organization"],
        object_id=str(employer.pk),
        object_repr=employer.name,
        action_flag=2,
        change_message="[]",
    )
    # The contenttypes app's post_migrate handler, run between directory 0001 and 0002 (a database migrated
    # in steps), makes new rows for the new app label; the migration must keep the old ones, not these.
    for model in MOVED_MODELS:
        content_types.objects.get_or_create(app_label="directory", model=model)
    return {
        "board": board.pk,
        "employer": employer.pk,
        "gone": gone_id,
        "person": person.pk,
        "affiliation": affiliation.pk,
        "partnership": partnership.pk,
        "convener_membership": convener_membership.pk,
        "employer_membership": employer_membership.pk,
        "user": user.pk,
        "histories": {name: record.history_id for name, record in histories.items()},
        "content_types": old_type_ids,
        "permission": permission.pk,
        "log_entry": log_entry.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_record(old_apps: Any) -> None:
    ids = _fill(old_apps)

    _migrate(_latest())
    ContentType.objects.clear_cache()

    # Rows and ids, through the new models.
    assert set(Organization.objects.values_list("pk", flat=True)) == {ids["board"], ids["employer"]}
    employer = Organization.objects.get(pk=ids["employer"])
    assert (employer.name, employer.type, employer.naics_code, employer.size_band, employer.city) == (
        "Acme Tools",
        OrganizationType.EMPLOYER,
        "333515",
        SizeBand.FROM_50,
        "Barre",
    )
    person = Person.objects.get(pk=ids["person"])
    assert list(person.organizations.all()) == [employer]
    affiliation = Affiliation.objects.get(pk=ids["affiliation"])
    assert (affiliation.person, affiliation.organization, affiliation.title) == (
        person,
        employer,
        "Plant manager",
    )

    # Foreign keys from the other apps reach the new models.
    partnership = SectorPartnership.objects.get(pk=ids["partnership"])
    assert partnership.convener == Organization.objects.get(pk=ids["board"])
    assert partnership.convener.convened_partnerships.get() == partnership
    membership = Membership.objects.get(pk=ids["employer_membership"])
    assert (membership.organization, membership.representative, membership.role) == (
        employer,
        person,
        MembershipRole.EMPLOYER_MEMBER,
    )
    assert Membership.objects.get(pk=ids["convener_membership"]).organization_id == ids["board"]
    user = User.objects.get(pk=ids["user"])
    assert user.organization == partnership.convener
    assert list(partnership.convener.users.all()) == [user]

    # History records, through the new models' history managers.
    history = ids["histories"]
    organization_record = Organization.history.get(history_id=history["organization"])  # type: ignore[attr-defined]
    assert (organization_record.id, organization_record.name, organization_record.history_user) == (
        ids["employer"],
        "Acme Tools",
        user,
    )
    assert organization_record.instance == employer
    assert Person.history.get(history_id=history["person"]).id == ids["person"]  # type: ignore[attr-defined]
    affiliation_record = Affiliation.history.get(history_id=history["affiliation"])  # type: ignore[attr-defined]
    assert (affiliation_record.person_id, affiliation_record.organization_id) == (
        ids["person"],
        ids["employer"],
    )
    membership_record = Membership.history.get(history_id=history["membership"])  # type: ignore[attr-defined]
    assert membership_record.organization == employer
    assert membership_record.representative == person
    assert User.history.get(history_id=history["user"]).organization == partnership.convener  # type: ignore[attr-defined]

    # Content types kept their ids and now name the directory app; no stale or duplicate row is left.
    for model_name, type_id in ids["content_types"].items():
        content_type = ContentType.objects.get(pk=type_id)
        assert (content_type.app_label, content_type.model) == ("directory", model_name)
        assert content_type.model_class() is current_apps.get_model("directory", model_name)
    assert not ContentType.objects.filter(app_label="partnerships", model__in=MOVED_MODELS).exists()
    assert ContentType.objects.filter(app_label="directory").count() == len(MOVED_MODELS)
    assert ContentType.objects.get_for_model(Organization).pk == ids["content_types"]["organization"]
    log_entry = LogEntry.objects.get(pk=ids["log_entry"])
    assert log_entry.get_edited_object() == employer
    assert Permission.objects.get(pk=ids["permission"]).content_type.model_class() is Organization

    # New records continue the ids (the tables and their sequences are the same).
    created = directory_services.organization_create(name="New Co", type=OrganizationType.COLLEGE)
    assert created.pk > max(ids["board"], ids["employer"], ids["gone"])
    assert created.history.get().history_id > history["organization"]  # type: ignore[attr-defined]
