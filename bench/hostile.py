"""One hostile session flooding a dashboard server: ``python -m bench.hostile URL KIND SECONDS``.

It opens Draw & explain like a tab, then sends the canvas' state again and again without
waiting for the server's answer (it reads and drops what comes back), for SECONDS; it prints
JSON: how many values it sent. Run in a process of its own, so its sending does not slow the
load test's own sessions (bench/load.py measures what it does to them). The kinds are the
costliest values of each sort a client may send (tests/fixtures/hostile_values.py has the
whole corpus):

* ``malformed``: 9 characters that are not JSON (``{not json``), refused as they are decoded;
* ``full-reruns``: the same, each as a rerun of the whole page rather than of the canvas'
  fragment (Streamlit stops the running script and starts a new one for each);
* ``oversized``: ~0.95 MB of JSON, just under the transport's 1 MB, refused unread (over the
  0.5 MB decoding budget);
* ``dense``: 20,000 points at brush 80 without the browser's input (its 28x28), which the
  server would have to draw: refused by the drawing budget;
* ``costliest``: the costliest drawing the server still draws (~850 points at brush 80 without
  the browser's input, just under the drawing budget);
* ``largest``: 20,000 points with the browser's input: explained, the strokes sent back.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time

import numpy as np
from websockets.exceptions import ConnectionClosed

from bench.protocol import BackMsg, Session


def _drawing(number: int, points: int, brush: int, with_input: bool) -> str:
    xy = np.random.default_rng(number).uniform(20, 260, 2 * points).round(1).tolist()
    drawing = {"id": f"flood-{number}", "strokes": [{"w": brush, "p": xy}], "picture": None}
    if with_input:
        drawing["input"] = "AAAA" * 261 + "AA=="  # 784 zero levels: a blank 28x28
    return json.dumps({"drawing": drawing}, separators=(",", ":"))


def values(kind: str, count: int = 8) -> list[str]:
    """``count`` values of ``kind`` (new ids, so each is a new drawing to the server)."""
    if kind in ("malformed", "full-reruns"):
        return ["{not json"]
    if kind == "oversized":
        return [
            '{"drawing": {"id": "o' + str(n) + '", "p": [' + "1.5," * 237_000 + "1]}}"
            for n in range(count)
        ]
    if kind == "dense":
        return [_drawing(n, 20_000, 80, with_input=False) for n in range(count)]
    if kind == "costliest":
        return [_drawing(n, 850, 80, with_input=False) for n in range(count)]
    if kind == "largest":
        return [_drawing(n, 20_000, 80, with_input=True) for n in range(count)]
    raise ValueError(f"unknown kind {kind!r}")


KINDS = ("malformed", "full-reruns", "oversized", "dense", "costliest", "largest")


async def flood(url: str, kind: str, seconds: float) -> dict:
    session = Session(url, timeout=120)
    await session.open()
    messages = []
    for text in values(kind):
        state = BackMsg().rerun_script.widget_states
        for widget_id, shown in session.widgets.items():
            if widget_id != session.canvas_id:
                state.widgets.append(shown)
        widget = state.widgets.add()
        widget.id = session.canvas_id
        widget.json_value = text
        message = BackMsg(rerun_script=session._client_state(widget_states=state))
        if kind != "full-reruns":
            message.rerun_script.fragment_id = session.fragment_id
        messages.append(message.SerializeToString())

    runs = 0

    async def drain():
        nonlocal runs
        from bench.protocol import ForwardMsg

        while True:
            message = ForwardMsg()
            message.ParseFromString(await session.socket.recv())
            runs += message.WhichOneof("type") == "script_finished"

    reader = asyncio.create_task(drain())
    stop = asyncio.Event()  # SIGTERM ends the flood early, and it still reports
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sent, started, closed = 0, time.perf_counter(), None
    try:
        while time.perf_counter() - started < seconds and not stop.is_set():
            await session.socket.send(messages[sent % len(messages)])
            sent += 1
            await asyncio.sleep(0)
    except ConnectionClosed as error:  # the server (or a keepalive timeout) closed it
        closed = str(error)[:120]
    finally:
        elapsed = time.perf_counter() - started
        reader.cancel()
        session.socket.transport.abort()  # no closing handshake behind a backlog
    return {"kind": kind, "sent": sent, "runs": runs, "seconds": elapsed, "closed": closed}


def main(argv=None) -> int:
    url, kind, seconds = (argv or sys.argv[1:])[:3]
    print(json.dumps(asyncio.run(flood(url, kind, float(seconds)))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
