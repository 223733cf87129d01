"""The content types of the moved models follow them (app label ``partnerships`` → ``directory``), keeping
their ids: admin log entries, permissions and any generic relation keep pointing at the same model.

Run before the contenttypes app's post_migrate handler, which would otherwise create new ``directory`` rows
and leave the old ones stale. If such rows already exist (a database migrated in several steps, where that
handler ran between directory 0001 and this migration), they are new and referenced by nothing of ours but
their own permissions: they are deleted, and the old rows, which admin history references, are renamed.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MOVED_MODELS = (
    "organization",
    "person",
    "affiliation",
    "historicalorganization",
    "historicalperson",
    "historicalaffiliation",
)


def _relabel(apps: Any, *, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not content_type.objects.filter(app_label=old, model=model).exists():
            continue
        content_type.objects.filter(app_label=new, model=model).delete()
        content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    _relabel(apps, old="partnerships", new="directory")


def backwards(apps: Any, schema_editor: Any) -> None:
    _relabel(apps, old="directory", new="partnerships")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("partnerships", "0004_people_and_organizations_to_directory"),
        ("accounts", "0004_organization_in_directory"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
