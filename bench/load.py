"""Load test: a class drawing at once on one dashboard server (or two behind nginx), on loopback.

Each simulated session opens Draw & explain and draws a Z stroke by stroke: the pen moves for
about a second (seeded, 0.7-1.3 s), lifts, and the live canvas sends the strokes; the session
waits for the server's update (the fragment's confidence line) and draws the next stroke.
Sessions speak Streamlit's websocket protocol (bench/protocol.py), so 60 of them cost the
machine little and the figures measure the server. Reported per level (20 / 40 / 60 sessions):
server CPU per pointer-up, p50/p95 pointer-up -> server update, errors, server memory, and the
load average of the shared machine before and after.

The protocol client is validated against real browsers: at 5 sessions, Chromium (Playwright)
draws the same strokes on the same server, and the server CPU per pointer-up of both is
compared (target: within 20%). Each pen lift of the client is the fragment rerun a browser
sends (same fragment, page, query string and widget states, compared frame by frame with
Chromium's).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import threading
import time
from contextlib import ExitStack, asynccontextmanager, contextmanager

from bench.browser import ROOT, app_server, resident_memory_mb
from bench.protocol import Session, SessionError
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH


def run_async(coroutine):
    """``asyncio.run`` that also works where an event loop already runs in this thread (a
    Playwright sync session in the same test process does that): the coroutine then runs in
    a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=run, name="load-client")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


LEVELS = (20, 40, 60)
PORTS = {"single": 8680, "replicas": (8681, 8682), "proxy": 8683}
# A Z in the unit square: top bar, diagonal, bottom bar; then the same, shifted
_Z = [[(0.1, 0.1), (0.9, 0.1)], [(0.9, 0.1), (0.1, 0.9)], [(0.1, 0.9), (0.9, 0.9)]]
UNIT_STROKES = _Z + [[(x + 0.04, y + 0.03) for x, y in stroke] for stroke in _Z]
POINTER_UPS = len(UNIT_STROKES)  # strokes per session: a Z, then the same Z inked over
MARGIN = 0.15  # of the canvas, as bench.browser.draw leaves it
STEPS_PER_SEGMENT = 6  # pointer moves per segment, as bench.browser.draw makes them


def canvas_strokes(count: int) -> list[dict]:
    """The first ``count`` strokes as the canvas sends them: ``{"w", "p"}`` in canvas pixels,
    one point per pointer move."""
    span = CANVAS_SIZE * (1 - 2 * MARGIN)
    strokes = []
    for stroke in UNIT_STROKES[:count]:
        points = [stroke[0]]
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            for step in range(1, STEPS_PER_SEGMENT + 1):
                t = step / STEPS_PER_SEGMENT
                points.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
        flat = [round(CANVAS_SIZE * MARGIN + span * v, 1) for point in points for v in point]
        strokes.append({"w": DEFAULT_BRUSH, "p": flat})
    return strokes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    return [round(value, 1) for value in os.getloadavg()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)] if ordered else float("nan")


class Servers:
    """The server processes measured together (one server, or both replicas)."""

    def __init__(self, pids: list[int]):
        self.pids = pids

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def memory(self) -> float:
        return sum(resident_memory_mb(pid) for pid in self.pids)

    def waited(self) -> float:
        """Seconds the servers' threads have spent ready to run but waiting for a core
        (Linux schedstat): what the machine's other work took from them."""
        total = 0
        for pid in self.pids:
            for task in os.listdir(f"/proc/{pid}/task"):
                try:
                    total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[1])
                except (OSError, IndexError, ValueError):  # a thread that just ended
                    continue
        return total / 1e9


@contextmanager
def peak_memory(servers: Servers, every: float = 0.25):
    """Sample the servers' resident memory in a thread; yields a dict whose "peak" grows."""
    found = {"peak": servers.memory()}
    stop = threading.Event()

    def sample():
        while not stop.wait(every):
            try:
                found["peak"] = max(found["peak"], servers.memory())
            except (OSError, RuntimeError):  # a replica stopped
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()


START_SPREAD_S = 5.0  # the class starts drawing within a few seconds, not at one instant


def stroke_pauses(number: int, count: int) -> list[float]:
    """Seconds before each pointer-up (seeded per session): the pen moves 0.7-1.3 s per stroke,
    the first stroke starts up to START_SPREAD_S late."""
    rng = random.Random(number)
    pauses = [rng.uniform(0.7, 1.3) for _ in range(count)]
    pauses[0] += rng.uniform(0, START_SPREAD_S)
    return pauses


async def _draw_session(session: Session, number: int, pointer_ups: int, outcome: dict) -> None:
    """Draw stroke by stroke; every stroke's latency or error goes into ``outcome``."""
    previous = session.fingerprint
    for count, pause in enumerate(stroke_pauses(number, pointer_ups), 1):
        await asyncio.sleep(pause)
        try:
            latency = await session.pointer_up(canvas_strokes(count))
        except SessionError as error:
            outcome["errors"].append(f"session {number}, stroke {count}: {error}")
            return  # a lost session stays lost, as a tab would show "connection lost"
        if session.fingerprint == previous:
            outcome["errors"].append(f"session {number}, stroke {count}: the input did not change")
        previous = session.fingerprint
        outcome["latencies"].append(latency)


def _level_figures(sessions: int, outcome: dict, server_cpu_s: float, elapsed_s: float) -> dict:
    """What both clients report for one level: pointer-ups, errors, the servers' CPU per
    pointer-up, how long the drawing took and the latencies' median and 95th percentile."""
    latencies = outcome["latencies"]
    return {
        "sessions": sessions,
        "pointer_ups": len(latencies),
        "errors": len(outcome["errors"]),
        "error_messages": outcome["errors"][:5],
        "server_cpu_ms_per_pointer_up": 1000 * server_cpu_s / max(len(latencies), 1),
        "server_cpu_s": server_cpu_s,
        "elapsed_s": elapsed_s,
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": percentile(latencies, 0.95),
    }


async def _protocol_level(url: str, sessions: int, pointer_ups: int, servers: Servers) -> dict:
    outcome = {"errors": [], "latencies": [], "open_s": []}
    opened: list[tuple[int, Session]] = []
    memory_before = servers.memory()

    async def open_one(number):
        session = Session(url)
        try:
            outcome["open_s"].append(await session.open())
            opened.append((number, session))
        except (SessionError, OSError) as error:
            outcome["errors"].append(f"session {number} did not open: {error}")

    cpu_open = servers.cpu()
    await asyncio.gather(*(open_one(number) for number in range(sessions)))
    cpu_opened = servers.cpu()
    memory_open = servers.memory()
    client_cpu = time.process_time()
    waited = servers.waited()
    started = time.perf_counter()
    with peak_memory(servers) as memory:
        await asyncio.gather(*(_draw_session(s, n, pointer_ups, outcome) for n, s in opened))
    elapsed = time.perf_counter() - started
    waited = servers.waited() - waited
    client_cpu = time.process_time() - client_cpu
    cpu_drawn = servers.cpu()
    for _, session in opened:
        await session.close()
    latencies = outcome["latencies"]
    return {
        **_level_figures(sessions, outcome, cpu_drawn - cpu_opened, elapsed),
        "server_cpu_s_per_open": (cpu_opened - cpu_open) / max(len(opened), 1),
        "server_cpu_share": (cpu_drawn - cpu_opened) / (elapsed * (os.cpu_count() or 1)),
        "client_cpu_share": client_cpu / (elapsed * (os.cpu_count() or 1)),
        "cpu_wait_share": waited / elapsed,
        "max_s": max(latencies, default=float("nan")),
        "open_p95_s": percentile(outcome["open_s"], 0.95),
        "memory_mb": {
            "before": memory_before,
            "sessions_open": memory_open,
            "peak": memory["peak"],
        },
    }


def protocol_level(url: str, sessions: int, servers: Servers, pointer_ups: int = POINTER_UPS):
    """One level of simulated sessions; the load average of the machine beside it."""
    before = load_average()
    figures = run_async(_protocol_level(url, sessions, pointer_ups, servers))
    figures["load_average"] = [before[0], load_average()[0]]
    return figures


# --- real browsers, to validate the protocol client --------------------------------------------

_NEW_FINGERPRINT = r"""old => {
    const main = document.querySelector('[data-testid="stMain"]');
    const found = main && main.innerText.match(/fingerprint (\w+)/);
    return found && found[1] !== old ? found[1] : null;
}"""
_NOT_RUNNING = '[data-testid="stApp"][data-test-script-state="notRunning"]'


async def _browser_session(context, url, number, pointer_ups, ready, go, outcome):
    from bench.browser import CANVAS

    page = await context.new_page()
    try:
        await page.goto(url + "/?pair=2Z")
        await page.locator(CANVAS).wait_for(timeout=180_000)
        await page.wait_for_selector(_NOT_RUNNING, timeout=180_000)
        box = await page.locator(CANVAS).bounding_box()
        previous = await page.evaluate(_NEW_FINGERPRINT, "") or ""
    except Exception as error:
        outcome["errors"].append(f"browser {number} did not open: {error}")
        ready.release()
        return
    ready.release()
    await go.wait()
    span_x, span_y = box["width"] * (1 - 2 * MARGIN), box["height"] * (1 - 2 * MARGIN)

    def screen(point):
        return (
            box["x"] + box["width"] * MARGIN + point[0] * span_x,
            box["y"] + box["height"] * MARGIN + point[1] * span_y,
        )

    pauses = stroke_pauses(number, pointer_ups)
    for stroke, pause in zip(UNIT_STROKES[:pointer_ups], pauses, strict=True):
        await asyncio.sleep(pause)
        try:
            points = [screen(p) for p in stroke]
            await page.mouse.move(*points[0])
            await page.mouse.down()
            await page.mouse.move(*points[1], steps=STEPS_PER_SEGMENT)
            await page.mouse.up()
            released = time.perf_counter()
            handle = await page.wait_for_function(_NEW_FINGERPRINT, arg=previous, timeout=60_000)
            previous = await handle.json_value()
            outcome["latencies"].append(time.perf_counter() - released)
            await page.wait_for_selector(_NOT_RUNNING, timeout=60_000)
        except Exception as error:
            outcome["errors"].append(f"browser {number}: {type(error).__name__}: {error}"[:200])
            return


async def _browser_level(url: str, sessions: int, pointer_ups: int, servers: Servers) -> dict:
    from playwright.async_api import async_playwright

    from bench.browser import CHROMIUM_ARGS, chromium_path

    outcome = {"errors": [], "latencies": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        contexts = [
            await browser.new_context(viewport={"width": 1300, "height": 900})
            for _ in range(sessions)
        ]
        ready, go = asyncio.Semaphore(0), asyncio.Event()
        tasks = [
            asyncio.create_task(_browser_session(c, url, n, pointer_ups, ready, go, outcome))
            for n, c in enumerate(contexts)
        ]
        for _ in range(sessions):
            await ready.acquire()
        await asyncio.sleep(3)  # the pages' static files and the engines' weights: loaded
        cpu_opened = servers.cpu()
        started = time.perf_counter()
        go.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        cpu_drawn = servers.cpu()
        await browser.close()
    return _level_figures(sessions, outcome, cpu_drawn - cpu_opened, elapsed)


def validate(url: str, servers: Servers, sessions: int = 5, repeats: int = 2) -> dict:
    """Server CPU per pointer-up: the protocol client beside Chromium, alternated ``repeats``
    times on the same server (the machine's load drifts)."""
    protocol, browsers, averages = [], [], [load_average()[0]]
    for _ in range(repeats):
        protocol.append(protocol_level(url, sessions, servers))
        before = load_average()[0]
        row = run_async(_browser_level(url, sessions, POINTER_UPS, servers))
        row["load_average"] = [before, load_average()[0]]
        browsers.append(row)
        averages.append(load_average()[0])

    def cpu(rows):
        return statistics.mean(row["server_cpu_ms_per_pointer_up"] for row in rows)

    return {
        "sessions": sessions,
        "protocol": protocol,
        "browser": browsers,
        "protocol_cpu_ms": cpu(protocol),
        "browser_cpu_ms": cpu(browsers),
        "ratio": cpu(protocol) / cpu(browsers),
        "load_average": averages,
    }


# --- a classroom with a real browser, and one hostile session ---------------------------------

CLASSROOM = 60
CLASSROOM_ROUNDS = 4
P95_TARGET_S = 0.25
HOSTILE_RATIO_TARGET = 2.0


async def _flood_process(url: str, kind: str, seconds: float):
    """``python -m bench.hostile`` in a process of its own (its sending must not slow this
    process' sessions), already flooding when this returns."""
    import sys

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.hostile",
        url,
        kind,
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    await asyncio.sleep(3)  # it opened its page and floods
    return process


async def _flood_result(process) -> dict:
    import json

    if process.returncode is None:
        process.terminate()
    output, _ = await process.communicate()
    try:
        return json.loads(output.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"sent": None, "note": "stopped before it reported"}


async def _classroom_round(
    url: str, sessions: int, servers: Servers, browsers: int, hostile: str | None
) -> dict:
    """``sessions`` protocol sessions and ``browsers`` Chromium pages draw at once (the pages
    open and settle first), with one ``hostile`` session flooding throughout if given."""
    protocol = {"errors": [], "latencies": [], "open_s": []}
    browser = {"errors": [], "latencies": []}
    opened: list[tuple[int, Session]] = []

    async def open_one(number):
        session = Session(url)
        try:
            protocol["open_s"].append(await session.open())
            opened.append((number, session))
        except (SessionError, OSError) as error:
            protocol["errors"].append(f"session {number} did not open: {error}")

    await asyncio.gather(*(open_one(number) for number in range(sessions)))
    flood = None
    tasks = []
    async with _maybe_chromium(browsers) as contexts:
        ready, go = asyncio.Semaphore(0), asyncio.Event()
        tasks = [
            asyncio.create_task(_browser_session(c, url, 1000 + n, POINTER_UPS, ready, go, browser))
            for n, c in enumerate(contexts)
        ]
        for _ in contexts:
            await ready.acquire()
        if contexts:
            await asyncio.sleep(3)  # the pages' static files and the engines' weights: loaded
        if hostile:
            flood = await _flood_process(url, hostile, 120)
        before = load_average()[0]
        cpu, waited = servers.cpu(), servers.waited()
        started = time.perf_counter()
        go.set()
        await asyncio.gather(
            *(_draw_session(s, n, POINTER_UPS, protocol) for n, s in opened), *tasks
        )
        elapsed = time.perf_counter() - started
        cpu, waited = servers.cpu() - cpu, servers.waited() - waited
        flooded = await _flood_result(flood) if flood else None
    for _, session in opened:
        await session.close()
    return {
        "protocol": _level_figures(sessions, protocol, cpu, elapsed),
        "browser": browser,
        "cpu_wait_share": waited / elapsed,
        "hostile": hostile,
        "flood": flooded,
        "load_average": [before, load_average()[0]],
    }


@asynccontextmanager
async def _maybe_chromium(browsers: int):
    """``browsers`` fresh Chromium contexts (none: no browser started)."""
    if not browsers:
        yield []
        return
    from playwright.async_api import async_playwright

    from bench.browser import CHROMIUM_ARGS, chromium_path

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield [
                await chromium.new_context(viewport={"width": 1300, "height": 900})
                for _ in range(browsers)
            ]
        finally:
            await chromium.close()


def classroom(
    url: str, servers: Servers, sessions: int = CLASSROOM, rounds: int = CLASSROOM_ROUNDS
) -> dict:
    """A class of ``sessions`` protocol sessions with one real Chromium drawing among them,
    ``rounds`` times (the browser's pen lifts pooled over the rounds for its p95)."""
    rows = [
        run_async(_classroom_round(url, sessions, servers, browsers=1, hostile=None))
        for _ in range(rounds)
    ]
    browser = [latency for row in rows for latency in row["browser"]["latencies"]]
    errors = [error for row in rows for error in row["browser"]["errors"]]
    protocol = [row["protocol"] for row in rows]
    return {
        "sessions": sessions,
        "rounds": rounds,
        "browser": {
            "pointer_ups": len(browser),
            "errors": len(errors),
            "error_messages": errors[:5],
            "p50_s": statistics.median(browser) if browser else float("nan"),
            "p95_s": percentile(browser, 0.95),
            "max_s": max(browser, default=float("nan")),
        },
        "protocol": {
            "pointer_ups": sum(row["pointer_ups"] for row in protocol),
            "errors": sum(row["errors"] for row in protocol),
            "p95_s_per_round": [row["p95_s"] for row in protocol],
            "server_cpu_ms_per_pointer_up": statistics.mean(
                row["server_cpu_ms_per_pointer_up"] for row in protocol
            ),
        },
        "cpu_wait_share": [row["cpu_wait_share"] for row in rows],
        "load_average": [row["load_average"] for row in rows],
    }


def hostile(url: str, servers: Servers, sessions: int = CLASSROOM, kinds=None) -> dict:
    """For each kind of flood (bench/hostile.py): the class drawing without it, then with one
    session flooding throughout; the others' p50 / p95 beside each other."""
    from bench.hostile import KINDS

    found = {}
    for kind in kinds or KINDS:
        quiet = run_async(_classroom_round(url, sessions, servers, browsers=0, hostile=None))
        flooded = run_async(_classroom_round(url, sessions, servers, browsers=0, hostile=kind))
        found[kind] = {
            "without": {
                **quiet["protocol"],
                "load_average": quiet["load_average"],
                "cpu_wait_share": quiet["cpu_wait_share"],
            },
            "with": {
                **flooded["protocol"],
                "load_average": flooded["load_average"],
                "cpu_wait_share": flooded["cpu_wait_share"],
            },
            "flood": flooded["flood"],
            "p95_ratio": flooded["protocol"]["p95_s"] / quiet["protocol"]["p95_s"],
        }
    return found


# --- the whole benchmark ----------------------------------------------------------------------


def _warm_up(url: str) -> None:
    """One session draws, so the models and caches are loaded before anything is measured."""
    run_async(_warm(url))


async def _warm(url: str) -> None:
    session = Session(url, timeout=180)
    await session.open()
    for count in (1, 2):
        await session.pointer_up(canvas_strokes(count))
    await session.close()


def run(
    levels=LEVELS,
    pointer_ups: int = POINTER_UPS,
    replicas: bool = True,
    browsers: bool = True,
    hostile_kinds=None,
    rounds: int = CLASSROOM_ROUNDS,
) -> dict:
    """Every level on one server, the browser validation, the classroom (60 sessions and one
    Chromium) and the hostile floods; then the levels and the classroom on two replicas behind
    nginx (skipped, and said so, when nginx is not installed). ``hostile_kinds=()`` leaves the
    floods out."""
    results = {
        "method": "protocol",
        "levels": {},
        "pointer_ups_per_session": pointer_ups,
        "cores": os.cpu_count(),
    }
    with app_server(ROOT / "app" / "main.py", port=PORTS["single"]) as url:
        servers = Servers([url.pid])
        _warm_up(url)
        for sessions in levels:
            results["levels"][str(sessions)] = protocol_level(url, sessions, servers, pointer_ups)
        if browsers:
            results["validation"] = validate(url, servers)
            results["classroom"] = classroom(url, servers, rounds=rounds)
        if hostile_kinds != ():
            results["hostile"] = hostile(url, servers, kinds=hostile_kinds)
    if replicas:
        from bench.proxy import nginx_path, replicas_behind_nginx

        if nginx_path() is None:
            results["replicas"] = {"skipped": "nginx is not installed (apt-get install nginx)"}
        else:
            with replicas_behind_nginx(PORTS["replicas"], PORTS["proxy"]) as (url, replicas):
                servers = Servers([replica.pid for replica in replicas])
                for replica in replicas:  # each replica warmed directly, not via the proxy
                    _warm_up(replica)
                results["replicas"] = {
                    str(sessions): protocol_level(url, sessions, servers, pointer_ups)
                    for sessions in levels
                }
                if browsers:
                    results["replicas_classroom"] = classroom(url, servers, rounds=rounds)
                if hostile_kinds != ():
                    results["replicas_hostile"] = hostile(url, servers, kinds=hostile_kinds)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return results


def smoke(sessions: int = 2, pointer_ups: int = 3, port: int | None = None) -> dict:
    """A tiny run for the tests: ``sessions`` protocol sessions on a server of its own."""
    with ExitStack() as stack:
        url = stack.enter_context(app_server(ROOT / "app" / "main.py", port=port))
        servers = Servers([url.pid])
        _warm_up(url)
        return protocol_level(url, sessions, servers, pointer_ups)
