"""Refresh the user guide's screenshots (docs/images/) from the browser tests.

    .venv/bin/python docs/screenshots.py            # run the intelligence browser tests, then copy
    .venv/bin/python docs/screenshots.py --no-run   # only copy what the last run left

The browser tests write full-size PNGs (1280 px wide, the whole page) to /tmp/sectorwise-screenshots (or
SECTORWISE_SCREENSHOT_DIR). Each one named in SHOTS is cut to its top (the part the guide talks about),
scaled to WIDTH pixels and quantised to a palette PNG, with fewer colours until it is under MAX_BYTES.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "images"
WIDTH = 1000
MAX_BYTES = 200_000
COLOURS = (128, 64, 32)
# screenshot -> (the tests that take it, how much of the page's top to keep, in source pixels)
SHOTS: dict[str, tuple[str, int]] = {
    "intelligence-explorer.png": ("tests/web/browser/test_intelligence.py", 1500),
    "intelligence-map-picked.png": ("tests/web/browser/test_intelligence.py", 1500),
    "intelligence-ranking.png": ("tests/web/browser/test_intelligence.py", 1700),
}


def source_dir() -> Path:
    return Path(os.environ.get("SECTORWISE_SCREENSHOT_DIR", "/tmp/sectorwise-screenshots"))


def compressed(path: Path, keep_height: int) -> bytes:
    """The top ``keep_height`` pixels of ``path``, WIDTH wide, as the smallest-palette PNG under MAX_BYTES
    (the last try when none is)."""
    with Image.open(path) as image:
        top = image.convert("RGB").crop((0, 0, image.width, min(image.height, keep_height)))
    scaled = top.resize((WIDTH, round(top.height * WIDTH / top.width)), Image.Resampling.LANCZOS)
    body = b""
    for colours in COLOURS:
        out = io.BytesIO()
        scaled.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
        body = out.getvalue()
        if len(body) < MAX_BYTES:
            break
    return body


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-run", action="store_true", help="Copy the last run's screenshots only.")
    args = parser.parse_args()
    if not args.no_run:
        tests = sorted({test for test, _ in SHOTS.values()})
        command = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
        if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
            print("the browser tests failed: screenshots not copied", file=sys.stderr)
            return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    status = 0
    for name, (_, keep_height) in SHOTS.items():
        path = source_dir() / name
        if not path.is_file():
            print(f"missing: {path}", file=sys.stderr)
            status = 1
            continue
        body = compressed(path, keep_height)
        (TARGET / name).write_bytes(body)
        print(f"docs/images/{name}: {len(body):,} bytes (from {path.stat().st_size:,})")
        if len(body) >= MAX_BYTES:
            print(f"  over {MAX_BYTES:,} bytes: lower its kept height in SHOTS", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
