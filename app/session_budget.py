"""What one browser session may cost the server: how much it may send, how often it may run.

All sessions share one process (one interpreter lock), so a client that floods the server
(issue 25: values sent back to back) takes its time from every other session, twice over:

* the server's event loop reads and parses every message of every connection; a flood of
  small messages kept it busy (8,000 a second of ``{not json``: 0.14 of a core), large ones
  more. :func:`install` gives each connection a budget for what it reads (``MESSAGES`` per
  second and ``BYTES`` per second, with bursts): past it, the connection is not read until its
  budget is back, so the client's sending stalls (the server's websocket stops reading
  while a message waits, and TCP pushes back) and the others are read as usual;
* every rerun request (a pen lift, a click, a value) runs the page, and a run with the
  largest values costs 0.1-0.2 s of CPU. Each session has a budget for its runs, kept on the
  event loop: ``BURST`` requests at once, then ``RATE`` per second, and ``CPU_SHARE`` of a core
  on average (the CPU time of its script runs, each counted up to ``MOST_PER_RUN``, with a
  burst of ``CPU_BURST``). A request beyond the budget waits until it is back, and the requests
  that arrive meanwhile replace it (the browser sends the state of every widget with each
  request, so the newest one says everything, and a full-page rerun among them keeps the
  merged request a full-page rerun).

A person does not meet these budgets: a pen lifts, a button is clicked, a few times a second
at most, each run costing ~10-30 ms, and the largest drawing is ~0.25 MB. A flooding client
gets at most ``CPU_SHARE`` of a core, each of its runs with its newest value.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref

RATE = 3.0
"""Runs per second a session keeps once its burst is spent."""
BURST = 6.0
"""Requests a session may make at once (a fast writer's strokes, a few clicks)."""
CPU_SHARE = 0.1
"""Share of one core a session's runs may use on average."""
CPU_BURST = 1.0
"""CPU seconds a session may use at once (four first visits of the heaviest pages, each
counted up to MOST_PER_RUN; a pen lift costs ~10-30 ms)."""
MOST_PER_RUN = 0.25
"""The most one run is counted (a page's first visit may fill shared caches for everyone)."""
MESSAGES = (20.0, 60.0)
"""Messages per second a connection is read at, and its burst (a page opening sends a few)."""
BYTES = (1e6, 4e6)
"""Bytes per second a connection is read at, and its burst (a pen lift sends at most ~0.25 MB;
the transport refuses a message over 1 MB)."""
_installed = threading.Lock()


class Budget:
    """A session's budget for its runs: request tokens and CPU seconds, refilled with time;
    the newest request waiting for them (with its handler)."""

    def __init__(
        self,
        rate: float = RATE,
        burst: float = BURST,
        cpu_share: float = CPU_SHARE,
        cpu_burst: float = CPU_BURST,
        clock=time.monotonic,
    ):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.cpu_share, self.cpu_burst = cpu_share, cpu_burst
        self.tokens, self.cpu, self.updated = burst, cpu_burst, clock()
        self.lock = threading.Lock()  # runs are charged from their script threads
        self.waiting = None  # the newest request that found the budget spent
        self.timer = None

    def _refill(self) -> None:
        now = self.clock()
        elapsed, self.updated = now - self.updated, now
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.cpu = min(self.cpu_burst, self.cpu + elapsed * self.cpu_share)

    def take(self) -> bool:
        """Use a request token if one is there and the CPU budget is not overdrawn."""
        with self.lock:
            self._refill()
            if self.tokens >= 1 and self.cpu >= 0:
                self.tokens -= 1
                return True
            return False

    def charge(self, seconds: float) -> None:
        """Count a run's CPU seconds (up to MOST_PER_RUN)."""
        with self.lock:
            self._refill()
            self.cpu -= min(seconds, MOST_PER_RUN)

    def wait_seconds(self) -> float:
        """Seconds until a request may run."""
        with self.lock:
            self._refill()
            return max(0.0, (1 - self.tokens) / self.rate, -self.cpu / self.cpu_share)


_budgets: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # session id -> Budget


class ReadBudget:
    """A connection's budget for what it sends: messages and bytes per second, with bursts."""

    def __init__(self, messages=MESSAGES, size=BYTES, clock=time.monotonic):
        (self.message_rate, self.message_burst), (self.byte_rate, self.byte_burst) = messages, size
        self.clock = clock
        self.messages, self.bytes, self.updated = self.message_burst, self.byte_burst, clock()

    def charge(self, size: int) -> float:
        """Count one message of ``size`` bytes; return how long to wait before reading on
        (0 within the budget). A message larger than the burst waits as long as it costs."""
        now = self.clock()
        elapsed, self.updated = now - self.updated, now
        self.messages = min(self.message_burst, self.messages + elapsed * self.message_rate) - 1
        self.bytes = min(self.byte_burst, self.bytes + elapsed * self.byte_rate) - size
        return max(0.0, -self.messages / self.message_rate, -self.bytes / self.byte_rate)


def merge(older, newer):
    """The one request that stands for two ``rerun_script`` messages: the newer, run as a full
    page if either was (a fragment's run would miss what the full run's widgets changed)."""
    if older is not None and not older.rerun_script.fragment_id:
        newer.rerun_script.fragment_id = ""
    return newer


def admit(budget: Budget, message, handle, loop) -> None:
    """Handle ``message`` now if ``budget`` allows, else keep it (merged with any request
    waiting) and handle the newest when a token is back."""
    if budget.waiting is None and budget.take():
        handle(message)
        return
    budget.waiting = merge(budget.waiting, message)
    if budget.timer is None:

        def release() -> None:
            budget.timer = None
            if budget.take():
                waiting, budget.waiting = budget.waiting, None
                handle(waiting)
            else:  # the clock moved less than asked: wait again
                budget.timer = loop.call_later(budget.wait_seconds(), release)

        budget.timer = loop.call_later(budget.wait_seconds(), release)


def install() -> None:
    """Give every connection a :class:`ReadBudget` and every session a :class:`Budget` for
    its rerun requests, charged with the CPU time of its script runs (once per process;
    later calls do nothing)."""
    from starlette.websockets import WebSocket
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    with _installed:
        original = AppSession.handle_backmsg
        if getattr(original, "budgets_reruns", False):
            return

        def handle_backmsg(self, message) -> None:
            if message.WhichOneof("type") != "rerun_script":
                original(self, message)
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on the event loop (tests): no budget to keep
                original(self, message)
                return
            budget = self.__dict__.get("_rerun_budget")
            if budget is None:
                budget = self.__dict__["_rerun_budget"] = _budgets[self.id] = Budget()
            admit(budget, message, lambda kept: original(self, kept), loop)

        run_script = ScriptRunner._run_script

        def counted_run_script(self, rerun_data) -> None:
            started = time.thread_time()
            try:
                run_script(self, rerun_data)
            finally:
                budget = _budgets.get(self._session_id)
                if budget is not None:
                    budget.charge(time.thread_time() - started)

        receive_bytes = WebSocket.receive_bytes

        async def budgeted_receive_bytes(self) -> bytes:
            data = await receive_bytes(self)
            wait = self.__dict__.setdefault("_read_budget", ReadBudget()).charge(len(data))
            if wait > 0:
                await asyncio.sleep(wait)  # nothing more is read from this connection meanwhile
            return data

        handle_backmsg.budgets_reruns = True
        AppSession.handle_backmsg = handle_backmsg
        ScriptRunner._run_script = counted_run_script
        WebSocket.receive_bytes = budgeted_receive_bytes
