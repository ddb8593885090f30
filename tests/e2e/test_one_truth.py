"""One truth on screen: after every action of a seeded random user session (draw, undo, redo,
clear, examples, N, Delete, random test images, uploads good, blank and refused, edit mode,
mode, target, contrast, pair, architecture, network, a trip to Compare pairs, presenter view,
a copied link opened elsewhere, an export), the canvas, the live bars and map, the server's
headline, question and verdict, the title and the export describe the same input and question
(tests/e2e/truth.py says exactly how that is checked).

CI runs one seed of 60 actions at 1280x720; ``E2E_DEEP=1`` runs three seeds of 200 each.
"""

from __future__ import annotations

import os
import random
import re

import pytest

from bench.browser import CANVAS, wait_for_app
from tests.e2e.actions import User
from tests.e2e.truth import (
    check_one_truth,
    json_dump,
    links_equal,
    settle,
)

DEEP = os.environ.get("E2E_DEEP", "").lower() in ("1", "true", "yes")
SEEDS = [0, 1, 2] if DEEP else [0]
ACTIONS = int(os.environ.get("E2E_ACTIONS", 200 if DEEP else 60))
TIMEOUT = 60_000


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=TIMEOUT)
    page.locator(CANVAS).first.wait_for(timeout=TIMEOUT)
    page.locator(".live-canvas[data-engine=ready]").first.wait_for(timeout=TIMEOUT)


def _reopened(chromium, url: str, viewport: dict):
    """The page's link opened in a new browser (a new session)."""
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    _open(page, url)
    return context, settle(page)


def _exported_title(page) -> str:
    """The PDF report's title, downloaded as a user would."""
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name="Report as PDF").click()
    data = open(download.value.path(), "rb").read()
    lines = re.findall(rb"/F2 16\.00 Tf [\d.]+ [\d.]+ Td \((.*?)\) Tj", data)
    assert lines, "the PDF has no title line"
    title = " ".join(line.decode("cp1252") for line in lines)  # a long title wraps
    return title.replace("\\(", "(").replace("\\)", ")")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_screen_tells_one_truth_after_every_action(chromium, dashboard, seed):
    viewport = {"width": 1280, "height": 720}
    context = chromium.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    try:
        _open(page, dashboard)
        user, rng = User(page, dashboard, random.Random(seed)), random.Random(seed + 1000)
        for step in range(ACTIONS):
            if step % 15 == 14:  # copy the link, open it elsewhere
                screen = settle(page)
                other, reopened = _reopened(chromium, page.url, viewport)
                try:
                    links_equal(screen, reopened, f"seed {seed} step {step}: link")
                    check_one_truth(reopened, f"seed {seed} step {step}: reopened link")
                finally:
                    other.close()
                continue
            try:
                done = user.act()
            except Exception:
                page.screenshot(path=f"test-artifacts/one-truth-{seed}-{step}.png")
                print("actions so far:", user.log)
                raise
            screen = settle(page)
            where = f"seed {seed} step {step} ({done}; before: {user.log[-4:-1]})"
            try:
                check_one_truth(screen, where)
            except AssertionError:
                page.screenshot(path=f"test-artifacts/one-truth-{seed}-{step}.png")
                print(json_dump(screen))
                raise
            if rng.random() < 0.08 and screen.component["server"] is not None:
                title = _exported_title(page)
                assert screen.component["server"]["answer"] in title, (
                    f"{where}: the export is titled {title!r}"
                )
        print(f"seed {seed}: {len(user.log)} actions:", "; ".join(user.log))
    finally:
        context.close()
