"""docs/python-api.md runs: every ```python block, in order, in one namespace, against the demo warehouse
built in a temporary data directory (as `sectorwise demo` builds it). A block that fails names itself."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from sectorwise.demo.lmi_demo import prepare_demo_lmi

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[str]:
    return [match.group(1) for match in BLOCK.finditer(text)]


def test_the_page_is_linked_from_the_readme() -> None:
    assert "docs/python-api.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_blocks_are_found() -> None:
    text = "a\n```python\nx = 1\n```\nb\n```text\nnot run\n```\n```python\ny = x\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = x\n"]


def test_every_python_block_of_the_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_demo_lmi(data_dir=tmp_path, console=Console(file=io.StringIO()))
    monkeypatch.setenv("SECTORWISE_DATA_DIR", str(tmp_path))
    work = tmp_path / "notebook"
    work.mkdir()
    monkeypatch.chdir(work)
    blocks = python_blocks(PAGE.read_text(encoding="utf-8"))
    # load, measures, regions, ranking and files: the page's sections each run something.
    assert len(blocks) >= 6
    namespace: dict[str, object] = {"__name__": "python_api_doc"}
    for number, block in enumerate(blocks, start=1):
        try:
            exec(compile(block, f"{PAGE.name}, python block {number}", "exec"), namespace)
        except Exception as error:
            pytest.fail(
                f"{PAGE.name}, python block {number} fails: {error!r}\n{textwrap.indent(block, '    ')}"
            )
    # What the page promises came out.
    summary = namespace["summary"]
    assert getattr(summary, "rows", 0) > 0
    assert len(namespace["frame"]) > 0  # type: ignore[arg-type]
    assert namespace["alder"].name.endswith(" area")  # type: ignore[attr-defined]
    assert len(namespace["result"].ranked) > 0  # type: ignore[attr-defined]
    assert (work / "ranking.xlsx").exists()
