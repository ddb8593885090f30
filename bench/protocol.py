"""A light dashboard session that speaks Streamlit's websocket protocol, as the browser does.

The browser talks to the server over one websocket (``/_stcore/stream``): it sends ``BackMsg``
protobufs (``rerun_script`` with the widgets' states) and receives ``ForwardMsg`` protobufs
(deltas: the page's elements, then ``script_finished``). This client does the same for the
Draw & explain page, without a browser:

1. :meth:`Session.open` asks for the first run, like a fresh tab, and reads from its deltas the
   page's script hash, the live canvas' widget id (``...-canvas``) and the fragment it lives in.
2. :meth:`Session.pointer_up` sends what the canvas sends when the pen lifts (its component
   state ``{"drawing": {"id", "strokes", "picture"}}`` as the widget's ``json_value``) in a
   fragment rerun, and times the server's answer until the confidence line arrives.

Every rerun carries what the browser's would: the state of every widget the page shows (the
values it shows, since nobody touches them), the current page's script hash (from the
``navigation`` message) and the query string the page set (``page_info_changed``). Like the
browser, it tells the server which cacheable deltas it already holds, so the server sends those
as short references. It does not run the component's JavaScript (the live engine works in the
browser and costs the server nothing).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import re
import time
import urllib.request

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


def browser_input(strokes: list[dict]) -> str:
    """What the live canvas sends beside its strokes: the 28x28 input it explained, 784 grey
    levels as base64 (computed here with core, which the browser's engine equals)."""
    return _browser_input(json.dumps(strokes, separators=(",", ":")))


@functools.lru_cache(maxsize=64)
def _browser_input(strokes_json: str) -> str:
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import parse_strokes, render_pixel_strokes

    image = canvas_to_input(render_pixel_strokes(parse_strokes(json.loads(strokes_json))))
    return base64.b64encode(image.astype("uint8").tobytes()).decode("ascii")


CANVAS_KEY = "canvas"  # app/views/draw.py: live_canvas.show("canvas", ...)
CONFIDENCE = "**Map stability:"  # the fragment's line that follows a new drawing (its checks)
FINGERPRINT = re.compile(r"fingerprint (\w+)")
_ids = itertools.count()


def shown_value(which: str, element) -> WidgetState | None:
    """The state a browser sends for a widget it shows and nobody touched: the value the server
    set (``set_value``) or the default; None for other elements and for widgets without a value
    (buttons: triggers)."""
    if which not in (
        "selectbox",
        "radio",
        "checkbox",
        "button_group",
        "multiselect",
        "file_uploader",
    ):
        return None
    state = WidgetState(id=element.id)
    if which in ("selectbox", "radio"):
        if element.set_value and element.HasField("raw_value"):
            state.string_value = element.raw_value
        elif element.HasField("default") and element.options:
            state.string_value = element.options[element.default]
        else:
            return None
    elif which == "checkbox":
        state.bool_value = element.value if element.set_value else element.default
    elif which == "button_group":
        if element.set_value:
            chosen = list(element.raw_values)
        else:
            chosen = [element.options[index].content for index in element.default]
        state.string_array_value.data.extend(chosen)
    elif which == "multiselect":
        chosen = (
            list(element.raw_values)
            if element.set_value
            else [element.options[index] for index in element.default]
        )
        state.string_array_value.data.extend(chosen)
    else:  # file_uploader: no file
        state.file_uploader_state_value.SetInParent()
    return state


class SessionError(RuntimeError):
    """The server did not answer as the page should (an exception, a timeout, a lost socket)."""


class Session:
    """One browser tab's worth of protocol, on one websocket."""

    def __init__(self, url: str, query: str = "pair=2Z", timeout: float = 60.0):
        self.url = url.rstrip("/")
        self.query = query
        self.timeout = timeout
        self.cookie = ""  # a sticky-session cookie set by a reverse proxy, sent back
        self.page_replica = ""  # the proxy's X-Replica header on the page, when there is one
        self.replica = ""  # ... and on the websocket
        self.socket = None
        self.page_script_hash = ""
        self.canvas_id = ""
        self.fragment_id = ""
        self.cached: set[str] = set()
        self.widgets: dict[str, WidgetState] = {}  # what the page shows, sent with each rerun
        self.popovers: set[tuple[int, ...]] = set()  # their content is not mounted until opened
        self.fingerprint = ""
        self.texts: list[str] = []  # the text and warnings the last run showed

    async def open(self) -> float:
        """Load the page as a fresh tab does; return seconds to the first run's end."""
        started = time.perf_counter()
        self._get_page()
        headers = {"Cookie": self.cookie} if self.cookie else {}
        address = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.socket = await connect(
            address,
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
        )
        self.replica = self.socket.response.headers.get("X-Replica", "")
        await self._send(BackMsg(rerun_script=self._client_state(widget_states=None)))
        await self._until_finished()
        if not self.canvas_id:
            raise SessionError("the first run showed no live canvas")
        return time.perf_counter() - started

    def _get_page(self) -> None:
        """GET the page, as the browser does first (a proxy may set its sticky cookie here)."""
        request = urllib.request.Request(self.url + "/")
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
            set_cookie = response.headers.get("Set-Cookie")
            if set_cookie:
                self.cookie = set_cookie.split(";", 1)[0]
            self.page_replica = response.headers.get("X-Replica", "")

    async def pointer_up(self, strokes: list[dict]) -> float:
        """Send the canvas' strokes (``[{"w", "p"}]`` in canvas pixels) as the pen lifts;
        return seconds until the server's confidence line for them arrives."""
        drawing = {
            "id": f"load-{next(_ids)}",
            "strokes": strokes,
            "picture": None,
            "input": browser_input(strokes),  # the 28x28 the live canvas explained, as it sends it
        }
        state = BackMsg().rerun_script.widget_states
        for widget_id, shown in self.widgets.items():  # every widget's state, as a browser's
            if widget_id != self.canvas_id:
                state.widgets.append(shown)
        widget = state.widgets.add()
        widget.id = self.canvas_id
        widget.json_value = json.dumps({"drawing": drawing}, separators=(",", ":"))
        message = BackMsg(rerun_script=self._client_state(widget_states=state))
        message.rerun_script.fragment_id = self.fragment_id
        started = time.perf_counter()
        await self._send(message)
        updated = await self._until_finished(started)
        if updated is None:
            raise SessionError("the fragment run ended without the confidence line")
        return updated - started

    async def send_value(self, text: str, field: str = "state") -> float:
        """Send raw JSON ``text`` as the canvas' state (``field="state"``, a widget state's
        ``json_value``) or its event list (``"events"``), as a client crafting its own messages
        would, in the fragment rerun of a pen lift; return seconds until the run ends. Raises
        :class:`SessionError` if the page shows an exception or the connection closes."""
        state = BackMsg().rerun_script.widget_states
        for widget_id, shown in self.widgets.items():
            if widget_id != self.canvas_id:
                state.widgets.append(shown)
        widget = state.widgets.add()
        if field == "state":
            widget.id = self.canvas_id
            widget.json_value = text
        else:  # Streamlit's trigger aggregator of the component (bidi_component/main.py)
            from streamlit.components.v2.bidi_component.main import _make_trigger_id

            widget.id = _make_trigger_id(self.canvas_id, "events")
            widget.json_trigger_value = text
        message = BackMsg(rerun_script=self._client_state(widget_states=state))
        message.rerun_script.fragment_id = self.fragment_id
        started = time.perf_counter()
        await self._send(message)
        await self._until_finished(started)
        return time.perf_counter() - started

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    def _client_state(self, widget_states):
        state = BackMsg().rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_script_hash
        state.cached_message_hashes.extend(sorted(self.cached))
        if widget_states is not None:
            state.widget_states.CopyFrom(widget_states)
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = self.url + "/"
        return state

    async def _send(self, message: BackMsg) -> None:
        try:
            await self.socket.send(message.SerializeToString())
        except ConnectionClosed as error:
            raise SessionError(f"the connection closed ({error})") from error

    async def _until_finished(self, started: float | None = None) -> float | None:
        """Read ForwardMsgs until the run ends; return when the confidence line arrived."""
        updated = None
        self.texts = []
        deadline = time.perf_counter() + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise SessionError(f"no end of run within {self.timeout:.0f} s")
            try:
                raw = await _recv(self.socket, remaining)
            except ConnectionClosed as error:
                raise SessionError(f"the connection closed ({error})") from error
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if message.metadata.cacheable and message.hash:
                self.cached.add(message.hash)
            if kind == "new_session":
                self.page_script_hash = message.new_session.page_script_hash
            elif kind == "navigation" and message.navigation.page_script_hash:
                self.page_script_hash = message.navigation.page_script_hash  # the current page
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string  # the page set its URL
            elif kind == "delta":
                found = self._read_delta(message.delta, tuple(message.metadata.delta_path))
                if found and updated is None:
                    updated = time.perf_counter()
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError("the script did not compile")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return updated

    def _read_delta(self, delta, path: tuple[int, ...]) -> bool:
        """Note the widgets shown and the canvas' ids; raise on an exception shown; True for
        the confidence line."""
        if delta.WhichOneof("type") == "add_block" and delta.add_block.WhichOneof("type") == (
            "popover"
        ):
            self.popovers.add(path)
        if delta.WhichOneof("type") != "new_element":
            return False
        element = delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            raise SessionError(f"the page showed an exception: {element.exception.message[:200]}")
        shown = shown_value(which, getattr(element, which)) if which else None
        # a browser sends the state of the widgets it has mounted: not those in a closed popover
        if shown is not None and not any(path[: len(p)] == p for p in self.popovers):
            self.widgets[shown.id] = shown
        if which == "bidi_component" and element.bidi_component.id.endswith(f"-{CANVAS_KEY}"):
            self.canvas_id = element.bidi_component.id
            self.fragment_id = delta.fragment_id
        if which == "alert":
            self.texts.append(element.alert.body)
        if which == "markdown":
            body = element.markdown.body
            self.texts.append(body)
            found = FINGERPRINT.search(body)
            if found:
                self.fingerprint = found.group(1)
            return body.startswith(CONFIDENCE)
        return False


async def _recv(socket, timeout: float) -> bytes:
    return await asyncio.wait_for(socket.recv(), timeout)
