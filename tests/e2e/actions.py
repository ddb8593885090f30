"""A user's actions on the dashboard, in a real Chromium, by the page's own controls.

Each action clicks, types or draws as a person would (nothing is set through the URL or the
session), so a random sequence of them is a user's session; the one-truth test checks the
screen after every one (tests/e2e/truth.py).
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.browser import CANVAS, draw, wait_for_app
from core.inputs.examples import EXAMPLES

UPLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "uploads"
GOOD_UPLOAD = UPLOADS / "z-grayscale-dark-on-white.png"
BLANK_UPLOAD = UPLOADS / "blank-white.png"
REFUSED_UPLOAD = UPLOADS / "text-renamed.png"

SHAPES = {
    "Z": [[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]],
    "2": [[(0.15, 0.3), (0.3, 0.1), (0.6, 0.05), (0.85, 0.25), (0.8, 0.5), (0.1, 0.9), (0.9, 0.9)]],
    "line": [[(0.5, 0.05), (0.5, 0.95)]],
    "bar": [[(0.3, 0.5), (0.75, 0.5)]],
    "5": [
        [(0.8, 0.1), (0.25, 0.1), (0.2, 0.45), (0.7, 0.45), (0.8, 0.7), (0.5, 0.95), (0.2, 0.85)]
    ],
    "loop": [[(0.5, 0.1), (0.85, 0.3), (0.5, 0.5), (0.15, 0.3), (0.5, 0.1), (0.5, 0.9)]],
}


class User:
    """One person on one page; ``rng`` chooses what they do."""

    def __init__(self, page, url: str, rng: random.Random):
        self.page, self.url, self.rng = page, url, rng
        self.log: list[str] = []

    # --- helpers ------------------------------------------------------------------------

    def _key(self, key: str):
        return self.page.locator(f".st-key-{key}:visible").first

    def presenting(self) -> bool:
        return self._key("presenter_bar").count() > 0

    def network(self) -> str:
        return "all8" if self._key("against").count() else "pair"

    def _select(self, key: str, option: str) -> None:
        box = self._key(key).locator("input").first
        if box.input_value() == option:  # already chosen: a person would not open the list
            return
        box.click()
        box.fill(option)  # typing filters the list to the option, wherever it would scroll to
        self.page.get_by_role("option", name=option, exact=True).click()

    def _choose(self, key: str, option: str) -> None:
        """A radio, a segmented control, pills, or (in presenter view's bar) a select box."""
        widget = self._key(key)
        if widget.locator('[data-testid="stSelectbox"]').count():
            self._select(key, option)
        else:
            widget.get_by_text(option, exact=True).first.click()

    def _sidebar_open(self) -> None:
        if self.presenting():
            return
        sidebar = self.page.locator('[data-testid="stSidebar"]')
        if sidebar.get_attribute("aria-expanded") == "false":
            self.page.locator('[data-testid="stExpandSidebarButton"]').click()

    def _blur(self) -> None:
        """Focus out of any input (a key typed into a select box would filter its options)."""
        self.page.locator('[data-testid="stMain"] h1').first.click()

    def _tool(self, name: str) -> bool:
        button = self.page.locator(".live-canvas .tools button", has_text=name).first
        if button.is_disabled():
            return False
        button.click()
        return True

    # --- actions --------------------------------------------------------------------------

    def draw(self) -> str:
        name = self.rng.choice(list(SHAPES))
        jitter = [
            [
                (
                    min(1, max(0, x + self.rng.uniform(-0.04, 0.04))),
                    min(1, max(0, y + self.rng.uniform(-0.04, 0.04))),
                )
                for x, y in stroke
            ]
            for stroke in SHAPES[name]
        ]
        draw(self.page, jitter, canvas=CANVAS)
        return f"draw {name}"

    def undo(self) -> str:
        return "undo" if self._tool("Undo") else "undo (nothing to undo)"

    def redo(self) -> str:
        return "redo" if self._tool("Redo") else "redo (nothing to redo)"

    def clear(self) -> str:
        return "clear" if self._tool("Clear") else "clear (nothing to clear)"

    def _options(self, key: str) -> list[str]:
        """The labels of a button group's options (not its help button)."""
        texts = self._key(key).locator("button").all_inner_texts()
        return [text.strip() for text in texts if text.strip()]

    def example(self) -> str:
        name = self.rng.choice(self._options("example_pick"))
        self._key("example_pick").get_by_text(name, exact=True).click()
        return f"example {name}"

    def test_image(self) -> str:
        which = self.rng.choice(["correctly classified", "misclassified"])
        self.page.get_by_role("button", name="Random test image").click()
        self._key("test_pick_kind").get_by_text(which, exact=True).click()
        wait_for_app(self.page)
        self._key("test_pick").locator("button").click()
        wait_for_app(self.page)
        self.page.keyboard.press("Escape")
        return f"test image ({which})"

    def upload(self) -> str:
        path = self.rng.choice([GOOD_UPLOAD, BLANK_UPLOAD, REFUSED_UPLOAD])
        self._key("upload").locator('input[type="file"]').set_input_files(str(path))
        return f"upload {path.name}"

    def edit(self) -> str:
        toggle = self._key("editing_drawing")
        if toggle.locator("input").is_disabled():
            return "edit (no strokes to edit)"
        toggle.locator("label").click()
        self.page.locator(".st-key-edit_canvas canvas").first.wait_for()
        wait_for_app(self.page)
        toggle.locator("label").click()  # close: the drawing goes back on the live canvas
        self.page.locator(".st-key-edit_canvas").wait_for(state="detached")
        return "edit: open and close"

    def mode(self) -> str:
        self._sidebar_open()
        option = self.rng.choice(
            [
                "Thesis: the whole output",
                "Target: why one class",
                "Contrast: why one class and not another",
            ]
        )
        self._choose("mode", option)
        return f"mode {option}"

    def _disabled(self, key: str) -> bool:
        """Whether a select box or a segmented control is disabled (not its help button)."""
        controls = self._key(key).locator(
            'input[role="combobox"], [data-testid="stButtonGroup"] div:has(> button) > button'
        )
        return controls.count() > 0 and controls.first.is_disabled()

    def why(self) -> str:
        if self._disabled("why"):
            return "why (disabled in thesis mode)"
        if self.network() == "pair":
            option = self.rng.choice(self._options("why"))
            self._key("why").get_by_text(option, exact=True).click()
            return f"why {option}"
        option = self.rng.choice(["the prediction", "2", "Z/z", "S/s", "0", "B/b"])
        self._select("why", option)
        return f"why {option}"

    def against(self) -> str:
        if self.network() == "pair":
            return self.why()
        if self._disabled("against"):
            return "and not (disabled outside contrast mode)"
        option = self.rng.choice(["the runner-up", "2", "Z/z", "S/s", "8"])
        self._select("against", option)
        return f"and not {option}"

    def pair(self) -> str:
        self._sidebar_open()
        option = self.rng.choice(["2 vs Z/z", "5 vs S/s", "8 vs B/b", "0 vs O/o"])
        self._select("pair", option)
        return f"pair {option}"

    def kind(self) -> str:
        self._sidebar_open()
        option = self.rng.choice(["Dense (thesis)", "CNN"])
        self._choose("kind", option)
        return f"architecture {option}"

    def net(self) -> str:
        option = self.rng.choice(self._options("net"))
        self._key("net").get_by_text(option, exact=True).click()
        return f"network {option}"

    def compare_and_back(self) -> str:
        self._go("Compare pairs")
        wait_for_app(self.page)
        self.page.locator(CANVAS).first.wait_for()
        self._go("Draw & explain")
        return "to Compare pairs and back"

    def _go(self, title: str) -> None:
        if self.presenting():
            link = self.page.locator('[data-testid="stPopoverBody"]').get_by_text(title, exact=True)
            for _ in range(3):  # a menu opened while the page still reruns may close again
                wait_for_app(self.page)
                if not link.is_visible():
                    self.page.get_by_role("button", name="Pages").click()
                try:
                    link.click(timeout=5_000)
                    break
                except Exception:  # noqa: BLE001 - the menu closed under the click: open it again
                    continue
        else:
            self._sidebar_open()
            self.page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        wait_for_app(self.page)

    def presenter(self) -> str:
        if self.presenting():
            self._key("presenter_exit").get_by_role("button", name="Exit").first.click()
            return "presenter off"
        self._sidebar_open()
        self._key("presenter").locator("label").click()
        return "presenter on"

    def next_example(self) -> str:
        if not self.presenting():
            return self.example()
        self._blur()
        self.page.keyboard.press("n")
        return "presenter: N (next example)"

    def delete(self) -> str:
        if not self.presenting():
            return self.clear()
        self._blur()
        self.page.keyboard.press("Delete")
        return "presenter: Delete (clear)"

    ACTIONS = {
        "draw": 6,
        "undo": 2,
        "redo": 1,
        "clear": 1,
        "example": 4,
        "test_image": 2,
        "upload": 2,
        "edit": 1,
        "mode": 2,
        "why": 2,
        "against": 1,
        "pair": 1,
        "kind": 1,
        "net": 2,
        "compare_and_back": 1,
        "presenter": 1,
        "next_example": 2,
        "delete": 1,
    }

    def act(self) -> str:
        names, weights = zip(*self.ACTIONS.items(), strict=True)
        done = getattr(self, self.rng.choices(names, weights)[0])()
        self.log.append(done)
        return done


__all__ = ["EXAMPLES", "User"]
