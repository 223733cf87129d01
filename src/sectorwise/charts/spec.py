"""What every chart spec shares."""

from __future__ import annotations

from typing import Any, Final

VEGA_LITE_SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.json"
FONT: Final = "Source Sans Pro Web, Helvetica Neue, Arial, sans-serif"


def base_config() -> dict[str, Any]:
    return {
        "legend": {"labelFontSize": 13, "titleFontSize": 14},
        "view": {"stroke": None},
        "font": FONT,
    }
