"""A hostile client on a real dashboard server (issue 25): every value of the generated corpus
(tests/fixtures/hostile_values.py) crafted into the canvas' websocket message, each followed by
a valid pen lift that must be explained; oversized messages refused at the transport without
pinning the server's memory. Slow tier: it starts servers on 127.0.0.1 (LOAD_TEST_PORT + 5...).
"""

from __future__ import annotations

import asyncio
import os

import pytest

from bench import load
from bench.browser import app_server, resident_memory_mb
from bench.protocol import Session, SessionError
from tests.fixtures.hostile_values import corpus

BASE_PORT = int(os.environ.get("LOAD_TEST_PORT", "8690")) + 5
CORPUS = corpus()

pytestmark = pytest.mark.slow


async def _corpus_then_valid(url: str) -> list[str]:
    problems = []
    session = Session(url, timeout=120)
    await session.open()
    for number, (name, (field, text, expected)) in enumerate(sorted(CORPUS.items())):
        try:
            await session.send_value(text, field)
        except SessionError as error:
            problems.append(f"{name}: {error}")
            continue
        shown = "\n".join(session.texts).replace("\\", "")
        if expected == "refused" and "was refused" not in shown:
            problems.append(f"{name}: not said to be refused")
        elif expected not in ("refused", "ignored", "explained") and expected not in shown:
            problems.append(f"{name}: {expected!r} not shown")
        try:  # the next valid drawing is explained
            await session.pointer_up(load.canvas_strokes(1 + number % load.POINTER_UPS))
        except SessionError as error:
            problems.append(f"{name}, then a valid drawing: {error}")
    await session.close()
    return problems


def test_no_hostile_value_breaks_a_session_on_a_real_server():
    with app_server(port=BASE_PORT) as url:
        problems = load.run_async(_corpus_then_valid(url))
    assert not problems, problems


async def _oversized(url: str, pid: int) -> dict:
    drawer = Session(url)
    await drawer.open()
    await drawer.pointer_up(load.canvas_strokes(1))
    before = resident_memory_mb(pid)
    # twenty values just under the transport's 1 MB, over the decoding budget: refused unread
    hostile = Session(url)
    await hostile.open()
    almost = '{"drawing": {"id": "x", "strokes": [{"w": 20, "p": [' + "1.5," * 240_000 + "1]}]}}"
    for _ in range(20):
        await hostile.send_value(almost)
    assert any("was refused" in text for text in hostile.texts)
    # five sessions sending 2 MB and one 6 MB: each connection is closed, nothing decoded
    closed = 0
    for size in (2, 2, 2, 2, 2, 6):
        session = Session(url)
        await session.open()
        try:
            await session.send_value('{"drawing": {"id": "' + "x" * (size * 10**6) + '"}}')
        except SessionError:
            closed += 1
        await session.close()
    await asyncio.sleep(1)
    after = resident_memory_mb(pid)
    await drawer.pointer_up(load.canvas_strokes(2))  # the others keep drawing
    await hostile.pointer_up(load.canvas_strokes(3))  # and so does the hostile session
    await hostile.close()
    await drawer.close()
    return {"closed": closed, "growth_mb": after - before}


def test_oversized_values_are_refused_without_pinning_memory():
    """Five ~21 MB values took a server from 100 to 1,793 MB and kept it there (issue 25)."""
    with app_server(port=BASE_PORT + 1) as url:
        found = load.run_async(_oversized(url, url.pid))
    assert found["closed"] == 6
    assert found["growth_mb"] < 64, found


async def _draw_beside_a_flood(url: str, kind: str) -> dict:
    import json
    import sys

    from bench.browser import ROOT

    flood = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.hostile",
        url,
        kind,
        "12",
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    await asyncio.sleep(4)  # it floods
    drawer = Session(url, timeout=60)
    await drawer.open()
    for count in range(1, 4):
        await drawer.pointer_up(load.canvas_strokes(count))
    await drawer.close()
    output, _ = await flood.communicate()
    return json.loads(output.decode().strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["full-reruns", "largest"])
def test_a_flooding_session_gets_its_budget_and_the_others_keep_drawing(kind):
    """A flood of full-page reruns had stopped every run of its session (0 finished in 21 s)
    and kept the server busy; now the others draw beside it, and the flooding session's runs
    stay within its request budget (app/session_budget.py)."""
    from app import session_budget

    with app_server(port=BASE_PORT + 2) as url:
        flood = load.run_async(_draw_beside_a_flood(url, kind))
    assert flood["sent"] > flood["runs"] > 0, flood
    allowed = session_budget.BURST + session_budget.RATE * flood["seconds"]
    assert flood["runs"] <= allowed + 2, flood
