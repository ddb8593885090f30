"""The load test's protocol client, and two replicas behind nginx with sticky sessions.

The slow tests start real dashboard servers on 127.0.0.1 (ports from LOAD_TEST_PORT, default
8690-8693). Without nginx the replica test skips loudly on a developer's machine; in CI
(``CI=true``, where .ci/run installs it) a missing nginx is a failure.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from bench import load, proxy
from bench.protocol import Session, SessionError, shown_value
from core.inputs.strokes import CANVAS_SIZE, parse_strokes

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BASE_PORT = int(os.environ.get("LOAD_TEST_PORT", "8690"))


def test_the_strokes_sent_are_what_the_canvas_sends():
    for count in range(1, load.POINTER_UPS + 1):
        strokes = parse_strokes(load.canvas_strokes(count), CANVAS_SIZE)
        assert len(strokes) == count
        for stroke in strokes:
            assert len(stroke.points) == 1 + load.STEPS_PER_SEGMENT  # one per pointer move
            assert all(0 <= v <= CANVAS_SIZE for point in stroke.points for v in point)
    assert load.canvas_strokes(2)[0] == load.canvas_strokes(1)[0]  # strokes accumulate


def test_stroke_pauses_are_seeded_per_session():
    assert load.stroke_pauses(3, 6) == load.stroke_pauses(3, 6)
    assert load.stroke_pauses(3, 6) != load.stroke_pauses(4, 6)
    assert all(0.7 <= pause for pause in load.stroke_pauses(3, 6))


def test_widget_states_are_the_values_the_page_shows():
    from streamlit.proto.Element_pb2 import Element

    element = Element()
    element.selectbox.id = "pair"
    element.selectbox.options.extend(["2 vs Z/z", "5 vs S/s"])
    element.selectbox.default = 0
    assert shown_value("selectbox", element.selectbox).string_value == "2 vs Z/z"
    element.radio.id = "mode"  # set by the server: its value, not the default
    element.radio.options.extend(["Thesis", "Contrast"])
    element.radio.default = 0
    element.radio.set_value = True
    element.radio.raw_value = "Contrast"
    assert shown_value("radio", element.radio).string_value == "Contrast"
    element.checkbox.id = "presenter"
    state = shown_value("checkbox", element.checkbox)
    assert state.WhichOneof("value") == "bool_value" and state.bool_value is False
    element.button_group.id = "scope"
    for content in ("this pair", "all eight"):
        element.button_group.options.add().content = content
    element.button_group.default.append(1)
    assert list(shown_value("button_group", element.button_group).string_array_value.data) == [
        "all eight"
    ]
    element.file_uploader.id = "upload"
    state = shown_value("file_uploader", element.file_uploader)
    assert state.WhichOneof("value") == "file_uploader_state_value"
    element.button.id = "pick"  # a button is a trigger: no state until clicked
    assert shown_value("button", element.button) is None
    assert shown_value("markdown", element.markdown) is None


def test_nginx_config_proxies_websockets_and_sticks_by_cookie(tmp_path):
    config = proxy.nginx_config([8001, 8002], 8003, tmp_path)
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_set_header Connection $connection_upgrade;" in config
    assert "hash $sticky consistent;" in config
    assert f"$cookie_{proxy.STICKY_COOKIE}" in config
    assert "server 127.0.0.1:8001" in config and "server 127.0.0.1:8002" in config
    assert "listen 127.0.0.1:8003;" in config


@pytest.mark.slow
def test_load_client_smoke():
    figures = load.smoke(sessions=2, pointer_ups=3, port=BASE_PORT)
    assert figures["errors"] == 0, figures["error_messages"]
    assert figures["pointer_ups"] == 2 * 3
    assert 0 < figures["p50_s"] <= figures["p95_s"] <= figures["max_s"]
    assert figures["server_cpu_ms_per_pointer_up"] > 0
    assert figures["memory_mb"]["peak"] >= figures["memory_mb"]["before"] > 0


def _nginx_or_skip():
    if proxy.nginx_path() is None:
        message = "NGINX TEST SKIPPED: nginx is not installed (apt-get install nginx)"
        if IN_CI:
            pytest.fail(message + " -- CI must run it")
        pytest.skip(message)


async def _replica_scenario(url: str, replicas) -> None:
    by_replica: dict[str, list[Session]] = {}
    for _ in range(16):  # new sessions until both replicas hold two (each lands on one at random)
        session = Session(url)
        await session.open()
        # sticky: the page and its websocket reached the same replica
        assert session.replica and session.page_replica == session.replica
        by_replica.setdefault(session.replica, []).append(session)
        if len(by_replica) == 2 and all(len(held) >= 2 for held in by_replica.values()):
            break
    assert len(by_replica) == 2, f"16 sessions all went to {list(by_replica)}"
    for held in by_replica.values():
        for session in held:
            await session.pointer_up(load.canvas_strokes(1))

    stopped, kept = sorted(by_replica)
    first = by_replica[stopped][0]
    reloaded = Session(url)  # the same browser (its cookie) reloading: the same replica
    reloaded.cookie = first.cookie
    await reloaded.open()
    assert reloaded.replica == stopped
    await reloaded.close()

    server = next(replica for replica in replicas if replica.endswith(stopped))
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while os.path.exists(f"/proc/{server.pid}") and time.monotonic() < deadline:
        if open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
            break  # stopped (a zombie until app_server reaps it)
        await asyncio.sleep(0.2)

    for session in by_replica[stopped]:  # its own sessions are lost ...
        with pytest.raises(SessionError):
            await session.pointer_up(load.canvas_strokes(2))
    for session in by_replica[kept]:  # ... the others keep working
        before = session.fingerprint
        await session.pointer_up(load.canvas_strokes(2))
        assert session.fingerprint != before
        await session.close()
    again = Session(url)  # a lost tab reloading starts a new session on the other replica
    again.cookie = first.cookie
    await again.open()
    assert again.replica == kept
    await again.pointer_up(load.canvas_strokes(3))
    await again.close()


@pytest.mark.slow
def test_two_replicas_behind_nginx_stick_and_survive_one_stopping():
    _nginx_or_skip()
    ports = (BASE_PORT + 1, BASE_PORT + 2)
    with proxy.replicas_behind_nginx(ports, BASE_PORT + 3) as (url, replicas):
        load.run_async(_replica_scenario(url, replicas))


@pytest.mark.slow
def test_one_command_serves_a_classroom_behind_nginx():
    """``python -m app.serve``: replicas and nginx from one command; a tab draws through it;
    SIGTERM stops every process it started."""
    import subprocess
    import sys
    import urllib.request

    _nginx_or_skip()
    port = BASE_PORT + 10
    command = [sys.executable, "-m", "app.serve", "--replicas", "2", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--address", "127.0.0.1"],
        cwd=proxy.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = iter(server.stdout.readline, "")  # the replicas' own lines come first
        assert any("ModuleX dashboard: http://localhost:" in line for line in lines)
        url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as response:
            assert response.read() == b"ok"
            assert response.headers["X-Replica"].startswith("127.0.0.1:")

        async def draw():
            session = Session(url)
            await session.open()
            assert session.replica and session.page_replica == session.replica
            await session.pointer_up(load.canvas_strokes(1))
            await session.close()

        load.run_async(draw())
        children = _children(server.pid)
        assert len(children) == 3  # two replicas and nginx
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    deadline = time.monotonic() + 20
    while any(os.path.exists(f"/proc/{pid}") for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in children)


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        path = f"/proc/{pid}/task/{task}/children"
        if os.path.exists(path):
            found += [int(child) for child in open(path).read().split()]
    return found
