"""The CLI reference in docs/ is the one the commands generate, and every command explains itself."""

from pathlib import Path

from typer.testing import CliRunner

from sectorwise import clidoc
from sectorwise.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_in_step_with_the_commands() -> None:
    assert DOC.read_text(encoding="utf-8") == clidoc.render(), "run `make docs` to regenerate docs/cli.md"


def test_every_command_and_option_has_help() -> None:
    assert clidoc.undocumented() == []


def test_every_documented_command_answers_help() -> None:
    runner = CliRunner()
    root = clidoc.typer.main.get_command(app)
    for path, command in clidoc.walk(root, ()):
        if command.hidden:
            continue
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
