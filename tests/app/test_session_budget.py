"""What one session may cost the server (app/session_budget.py, issue 25): its rerun requests
coalesced past a budget, its connection read at a bounded rate."""

from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg

from app import session_budget
from app.session_budget import Budget, ReadBudget, admit


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
    from starlette.websockets import WebSocket
    from streamlit.runtime.app_session import AppSession

    session_budget.install()
    patched, receive = AppSession.handle_backmsg, WebSocket.receive_bytes
    session_budget.install()
    assert AppSession.handle_backmsg is patched and patched.budgets_reruns
    assert WebSocket.receive_bytes is receive


def test_a_connection_is_read_at_its_budget():
    clock = Clock()
    budget = ReadBudget(messages=(20, 60), size=(1e6, 4e6), clock=clock)
    assert all(budget.charge(300_000) == 0 for _ in range(10))  # ten pen lifts at once: 3 MB
    assert budget.charge(300_000) == 0  # 3.3 MB of the 4 MB burst
    assert budget.charge(900_000) > 0.15  # over the burst: wait for the bytes to come back
    clock.now += 10
    assert budget.charge(100) == 0  # refilled
    waits = []
    for _ in range(1000):  # a flood of tiny messages: 20 a second once the burst is spent
        wait = budget.charge(9)
        clock.now += wait
        waits.append(wait)
    assert 1000 / 20 - 5 <= clock.now - 10 <= 1000 / 20 + 1


def test_costly_runs_spend_the_cpu_budget_and_wait_for_it():
    """Runs of 0.2 s of CPU back to back: the burst, then about CPU_SHARE of a core."""
    clock = Clock()
    budget = Budget(rate=100, burst=100, cpu_share=0.1, cpu_burst=1.5, clock=clock)
    loop, runs = Loop(clock), []

    def run(message):
        runs.append(clock.now)
        budget.charge(0.2)

    for number in range(3000):  # a request every 10 ms for 30 s
        admit(budget, _request(number), run, loop)
        loop.advance(0.01)
    spent_at_once = sum(1 for t in runs if t < 0.1)
    assert spent_at_once == 8  # 1.5 s of burst: 8 runs of 0.2 s (the last overdraws it)
    later = [t for t in runs if t >= 10]
    assert 0.1 * 20 / 0.2 - 2 <= len(later) <= 0.1 * 20 / 0.2 + 2  # 10% of a core: 1 per 2 s


def test_one_run_counts_at_most_its_cap():
    clock = Clock()
    budget = Budget(cpu_share=0.1, cpu_burst=1.5, clock=clock)
    budget.charge(30.0)  # a page's first visit filling shared caches
    assert budget.cpu == 1.5 - session_budget.MOST_PER_RUN
    assert budget.take()
