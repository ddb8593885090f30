"""How often one browser session may run the page: its rerun requests, coalesced past a budget.

Every pen lift, click or value a browser sends is a rerun request (a ``rerun_script`` message).
Streamlit runs each one, and a client that sends them back to back (issue 25: one session
flooding the server with drawings) keeps a script thread busy and takes the one process' time
from every other session. :func:`install` gives each session a token bucket on the server's
event loop: ``BURST`` requests at once, then ``RATE`` per second; a request beyond that waits
until a token is back, and the requests that arrive meanwhile replace it (the browser sends the
state of every widget with each request, so the newest one says everything, and a full-page
rerun among them keeps the merged request a full-page rerun). Nothing is dropped that a person
could notice: a pen lifts, a button is clicked, a few times a second at most, well within the
budget; a flooding client gets ``RATE`` runs a second, each with its newest value.
"""

from __future__ import annotations

import asyncio
import threading
import time

RATE = 3.0
"""Runs per second a session keeps once its burst is spent."""
BURST = 6.0
"""Requests a session may make at once (a fast writer's strokes, a few clicks)."""
_installed = threading.Lock()


class Budget:
    """A session's tokens, and the newest request waiting for one (with its handler)."""

    def __init__(self, rate: float = RATE, burst: float = BURST, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.updated = burst, clock()
        self.waiting = None  # the newest request that found no token
        self.timer = None

    def take(self) -> bool:
        """Use a token if one is there."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait_seconds(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1 - self.tokens) / self.rate)


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
    """Give every session a :class:`Budget` for its rerun requests (once per process)."""
    from streamlit.runtime.app_session import AppSession

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
            budget = self.__dict__.setdefault("_rerun_budget", Budget())
            admit(budget, message, lambda kept: original(self, kept), loop)

        handle_backmsg.budgets_reruns = True
        AppSession.handle_backmsg = handle_backmsg
