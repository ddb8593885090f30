"""One session's rerun requests, coalesced past a budget (app/rerun_budget.py, issue 25)."""

from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg

from app import rerun_budget
from app.rerun_budget import Budget, admit


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Loop:
    """call_later that waits for the test to move the clock."""

    def __init__(self, clock):
        self.clock, self.calls = clock, []

    def call_later(self, delay, callback):
        self.calls.append((self.clock.now + delay, callback))
        return object()

    def advance(self, seconds):
        self.clock.now += seconds
        due = [call for call in self.calls if call[0] <= self.clock.now + 1e-9]
        self.calls = [call for call in self.calls if call not in due]
        for _, callback in due:
            callback()


def _request(number: int, fragment: str = "fragment") -> BackMsg:
    message = BackMsg()
    message.rerun_script.query_string = str(number)
    message.rerun_script.fragment_id = fragment
    return message


def test_a_person_drawing_is_never_held_back():
    clock = Clock()
    budget, loop, handled = Budget(clock=clock), Loop(clock), []
    for number in range(30):  # a pen lift every 0.4 s for 12 s, a burst of 4 clicks at once
        admit(budget, _request(number), handled.append, loop)
        clock.now += 0.4 if number % 10 else 0.0
    assert len(handled) == 30 and not loop.calls


def test_a_flood_runs_at_the_rate_with_its_newest_request():
    clock = Clock()
    budget, loop, handled = Budget(rate=3, burst=6, clock=clock), Loop(clock), []
    for number in range(1000):  # 1,000 requests in one second
        admit(budget, _request(number), handled.append, loop)
        loop.advance(0.001)
    assert 6 <= len(handled) <= 6 + 3 + 1
    loop.advance(1.0)
    assert handled[-1].rerun_script.query_string == "999"  # the newest is the one that ran
    before = len(handled)
    for number in range(1000, 1300):  # then 300 a second for 10 s: about 3 a second run
        admit(budget, _request(number), handled.append, loop)
        loop.advance(1 / 30)
    loop.advance(1.0)
    assert 25 <= len(handled) - before <= 34
    assert handled[-1].rerun_script.query_string == "1299"


def test_a_full_page_rerun_merged_with_a_fragment_run_stays_a_full_rerun():
    clock = Clock()
    budget, loop, handled = Budget(rate=1, burst=1, clock=clock), Loop(clock), []
    admit(budget, _request(0), handled.append, loop)
    admit(budget, _request(1, fragment=""), handled.append, loop)  # a full page rerun
    admit(budget, _request(2), handled.append, loop)  # then a fragment's: merged
    loop.advance(1.0)
    assert [m.rerun_script.query_string for m in handled] == ["0", "2"]
    assert handled[-1].rerun_script.fragment_id == ""


def test_install_is_idempotent():
    from streamlit.runtime.app_session import AppSession

    rerun_budget.install()
    patched = AppSession.handle_backmsg
    rerun_budget.install()
    assert AppSession.handle_backmsg is patched and patched.budgets_reruns
