"""`sectorwise demo`, `sectorwise serve` and `sectorwise manage`: the web application from the command line.

Django is imported inside the commands, so that `sectorwise lmi ...` never loads it.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

SETTINGS_MODULE = "sectorwise.web.settings"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def demo(
    port: Annotated[
        int,
        typer.Option(envvar="SECTORWISE_PORT", help="Port to serve the demo site on (127.0.0.1 only)."),
    ] = 8000,
    serve: Annotated[
        bool, typer.Option(help="Serve the site after preparing the demo (--no-serve: prepare only).")
    ] = True,
) -> None:
    """Build the demo state (synthetic LMI data, organisations, partnerships, one user per role) and serve it
    at http://127.0.0.1:PORT. Development only: refuses to run with SECTORWISE_DEBUG off."""
    console = Console()
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from sectorwise.demo.lmi_demo import DEMO_REGION, prepare_demo_lmi, print_demo_profile
    from sectorwise.demo.records import DEMO_PASSWORD, load_demo_records

    if not settings.DEBUG:
        console.print("[red]The demo runs only in development (SECTORWISE_DEBUG on): it creates users whose "
                      "password is 'demo'.[/red]")  # fmt: skip
        raise typer.Exit(code=1)
    data_dir = settings.DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"Data directory: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    console.print(f"Database ready: {settings.DATABASES['default']['NAME']}")
    warehouse = prepare_demo_lmi(data_dir=data_dir, console=console)
    print_demo_profile(warehouse=warehouse, console=console, region=DEMO_REGION)
    records = load_demo_records(data_dir=data_dir)
    if records.seeded:
        console.print(f"Loaded the demo registry: regions from {records.region_source}.")
    else:
        console.print("The registry already holds records: kept as they are (nothing re-seeded).")
    console.print(
        f"{records.regions} regions, {records.organizations} organizations, {records.partnerships} "
        f"partnerships, {records.memberships} memberships."
    )
    for line in records.app_lines:
        console.print(line)
    table = Table(title=f"Demo users (password for all: {DEMO_PASSWORD!r})")
    for column in ("Username", "Role", "Acts for"):
        table.add_column(column)
    for user in records.users:
        table.add_row(user.username, user.role.label, user.organization)
    console.print(table)
    url = f"http://127.0.0.1:{port}"
    if not serve:
        return
    console.print(f"Serving {url} (sign in at {url}/accounts/login/). Stop with Ctrl+C.")
    # Large imports are background jobs: the demo runs their worker beside the server, so nothing else
    # needs starting (production runs `sectorwise manage db_worker` as its own service).
    import subprocess
    import sys

    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sectorwise.cli import main; main()",
            "manage",
            "db_worker",
            "--no-reload",
        ]
    )
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def serve(
    bind: Annotated[str, typer.Option(help="Address and port gunicorn listens on.")] = "127.0.0.1:8000",
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes: about two per CPU (a kept-alive connection stays with one process).",
        ),
    ] = 4,
    threads: Annotated[int, typer.Option(min=1, help="Threads per worker.")] = 2,
    timeout: Annotated[
        int,
        typer.Option(min=1, help="Seconds a request may take before gunicorn restarts its worker (imports)."),
    ] = 60,
    local_trial: Annotated[
        bool,
        typer.Option(
            "--local-trial",
            help="Try the server on this machine with development settings (loopback addresses only).",
        ),
    ] = False,
) -> None:
    """Serve the web application with gunicorn. Production only: set SECTORWISE_DEBUG=false and a secret key,
    run `sectorwise manage migrate` and `sectorwise manage collectstatic` first; `sectorwise demo` is the way
    to run in development. Refuses to start with DEBUG on or the development secret key unless
    --local-trial, which binds to 127.0.0.1/localhost only."""
    _setup_django()  # fail here, with Django's message, on bad settings rather than in every worker
    from django.conf import settings

    refusal = serve_refusal(
        debug=settings.DEBUG, secret_key=settings.SECRET_KEY, bind=bind, local_trial=local_trial
    )
    if refusal:
        message = f"sectorwise serve refuses to start: {refusal}"
        typer.secho(message, err=True, fg="red")
        raise typer.Exit(code=2)
    args = gunicorn_command(bind=bind, workers=workers, threads=threads, timeout=timeout)
    os.execv(args[0], args)


def gunicorn_command(*, bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """gunicorn's command line. The request head's ceilings are stated (a body's size is the settings'
    business: sectorwise.web.middleware): a request line (URL with its query) up to 4 KiB, at most 100
    header fields of up to 8 KiB each; over them gunicorn answers 400 before Django sees the request."""
    return [
        sys.executable, "-m", "gunicorn", "sectorwise.web.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--timeout", str(timeout),
        "--limit-request-line", "4094",
        "--limit-request-fields", "100",
        "--limit-request-field_size", "8190",
        "--access-logfile", "-",
    ]  # fmt: skip


def serve_refusal(*, debug: bool, secret_key: str, bind: str, local_trial: bool) -> str | None:
    """Why `serve` must not start with these settings, or None. Without --local-trial: never with DEBUG on
    (tracebacks and settings shown to anyone) nor with the public development key (anyone can forge
    sessions); with it: only on a loopback address."""
    from sectorwise.web.env import DEVELOPMENT_SECRET_KEY

    if local_trial:
        if not _is_loopback_bind(bind):
            return (
                f"--local-trial serves only on this machine (127.0.0.1, localhost, [::1]), not on {bind!r}. "
                "For a real deployment set SECTORWISE_DEBUG=false and SECTORWISE_SECRET_KEY instead."
            )
        return None
    problems = []
    if debug:
        problems.append("DEBUG is on (SECTORWISE_DEBUG is unset or true)")
    if secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("the secret key is the public development one (SECTORWISE_SECRET_KEY is unset)")
    if not problems:
        return None
    return (
        " and ".join(problems)
        + ". In production set SECTORWISE_DEBUG=false and SECTORWISE_SECRET_KEY (50+ random characters); "
        "for development run `sectorwise demo`; to try this server on this machine only, add --local-trial."
    )


def _is_loopback_bind(bind: str) -> bool:
    """Whether gunicorn's --bind value listens on this machine only (a loopback address or a Unix socket)."""
    if bind.startswith("unix:"):
        return True
    if bind.startswith("["):
        host = bind[1 : bind.find("]")] if "]" in bind else ""
    else:
        host = bind.rsplit(":", 1)[0] if ":" in bind else bind
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # another host name, or empty (all interfaces)
        return False


def manage(ctx: typer.Context) -> None:
    """Run a Django management command: `sectorwise manage migrate`, `sectorwise manage check --deploy`,
    `sectorwise manage help` (lists them)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sectorwise manage", *ctx.args])


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
    app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(manage)
