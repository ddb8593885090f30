"""The live path's constants are one table in two languages: the browser's
(app/static/live/constants.js) equals core's (core/inputs/live_constants.py) name for name and
value for value, and neither side types them anywhere else."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from core.inputs import live_constants
from core.inputs.live_constants import SHARED, TOO_SMALL
from tests.live_engine_cases import NODE

ROOT = Path(__file__).resolve().parents[2]
LIVE = ROOT / "app" / "static" / "live"
CONSTANTS_JS = LIVE / "constants.js"


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_browser_table_equals_cores():
    script = (
        f"import * as constants from {json.dumps(CONSTANTS_JS.as_uri())};\n"
        "console.log(JSON.stringify(constants));\n"
    )
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    browser = json.loads(done.stdout)
    assert browser == SHARED
    for name, value in SHARED.items():
        assert type(browser[name]) is type(value), name
        assert getattr(live_constants, name) == value


def test_the_table_holds_the_live_paths_constants():
    assert set(SHARED) >= {
        "INK_THRESHOLD",
        "BLUR_FRACTION",
        "TARGET_SIDE",
        "MIN_EXTENT",
        "MAX_STROKE_SHARE",
        "THINNED_STROKE_SHARE",
        "INK_MASK_LEVEL",
        "TOO_SMALL",
    }


def test_no_other_file_types_them_again():
    """A second copy is an assignment of a shared name (or the sentence) outside the tables."""
    javascript = [p for p in LIVE.glob("*.js") if p != CONSTANTS_JS]
    python = [
        p for p in (ROOT / "core").rglob("*.py") if p != ROOT / "core/inputs/live_constants.py"
    ]
    assert javascript and python
    copies = []
    for path in javascript + python:
        text = path.read_text(encoding="utf-8")
        for name in SHARED:
            pattern = rf"(const|let|var)\s+{name}\s*=" if path.suffix == ".js" else rf"^{name}\s*="
            if re.search(pattern, text, re.MULTILINE):
                copies.append(f"{path.relative_to(ROOT)}: {name}")
        if TOO_SMALL in text:
            copies.append(f"{path.relative_to(ROOT)}: the too-small sentence")
    assert copies == []
