"""`sectorwise import KIND FILE --user NAME`: a CSV/XLSX import from the command line.

KIND is any importer registered with ``core.tabular`` (``register_importer``, where each app loads): the
registry's ``organizations`` and ``memberships``, outcomes' ``participants``, ``observations`` and
``wage_records``, and any other app's. The command runs the very importer the pages run, as the named user
(who must be allowed that import, and whose name the history records carry): all or nothing, every bad row
printed with its row and field, exit status 1 when anything was refused. The file is read into memory and
never stored. Nothing that looks like an SSN is ever printed: the importers' messages never repeat an
identifier, and the messages are masked here once more in case a shifted column put one elsewhere.

The command line's bounds are wider than the pages' (millions of rows, half an hour): whoever runs it has the
server's files already.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Final

import typer

SETTINGS_MODULE: Final = "sectorwise.web.settings"
#: The permission each kind's import needs; kinds not named here need the outcomes import (state staff).
ACTIONS: Final = {"organizations": "import", "memberships": "import"}
DEFAULT_ACTION: Final = "import_outcomes"
_SSN_LIKE: Final = re.compile(r"(?<![0-9])[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}(?![0-9])")


def mask_identifiers(text: str) -> str:
    """Anything shaped like an SSN (nine digits, with or without dashes) replaced by a mark."""
    return _SSN_LIKE.sub("[identifier hidden]", text)


def import_file(
    kind: Annotated[str, typer.Argument(help="What the file holds: a registered importer's kind.")],
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A .csv (UTF-8) or .xlsx file.")
    ],
    user: Annotated[str, typer.Option("--user", help="The account the import is made as (its history).")],
) -> None:
    """Import a CSV or XLSX file as the pages do: all or nothing, each bad row printed with its row and field.

    KIND is a registered importer's kind (organizations, memberships, participants, observations,
    wage_records, ...); the named user must be allowed that import. Exit status 1 when the file was refused.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from sectorwise.core.rules import user_may_ever
    from sectorwise.core.tabular.engine import _IMPORTERS, importer_for
    from sectorwise.core.tabular.reader import TableLimits

    try:
        importer = importer_for(kind)
    except LookupError:
        typer.echo(f"no importer of kind {kind!r}; kinds: {', '.join(sorted(_IMPORTERS))}", err=True)
        raise typer.Exit(2) from None
    account = get_user_model().objects.filter(username=user, is_active=True).first()
    if account is None:
        typer.echo(f"no active user named {user!r}", err=True)
        raise typer.Exit(2)
    action = ACTIONS.get(kind, DEFAULT_ACTION)
    if not user_may_ever(user=account, action=action):
        typer.echo(f"{user} may not import {kind} (needs the {action!r} permission)", err=True)
        raise typer.Exit(2)
    limits = TableLimits(
        max_rows=5_000_000, max_blank_rows=100_000, max_seconds=1_800.0, max_unpacked_bytes=2 * 1024**3
    )
    content = file.read_bytes()
    result = importer.run(filename=file.name, content=content, user=account, limits=limits)
    del content
    if result.ok:
        typer.echo(f"Imported {file.name} ({kind}): {result.created:,} created, {result.updated:,} updated.")
        return
    problems = len(result.errors)
    typer.echo(
        f"Nothing was imported from {file.name}: {problems:,} problem{'s' if problems != 1 else ''}"
        f" in {result.rows:,} rows (row 1 is the header).",
        err=True,
    )
    for error in result.errors:
        typer.echo(f"row {error.row}, {mask_identifiers(error.field)}: {mask_identifiers(error.reason)}")
    sys.stdout.flush()
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_file)
