"""The presenter's routes where the screen used to contradict itself, each on its own, in
Chromium: after each step the canvas, the live bars and map and the server's answer describe the
same input and question (tests/e2e/truth.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bench.browser import CANVAS, draw, wait_for_app
from tests.e2e.actions import BLANK_UPLOAD, GOOD_UPLOAD, SHAPES, User
from tests.e2e.truth import check_one_truth, fingerprint, settle, unpack

TIMEOUT = 60_000


@pytest.fixture
def user(chromium, dashboard):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(dashboard)
    wait_for_app(page, timeout=TIMEOUT)
    page.locator(".live-canvas[data-engine=ready]").first.wait_for(timeout=TIMEOUT)
    yield User(page, dashboard, random.Random(0))
    context.close()


def _live_fingerprint(screen) -> str:
    return fingerprint(unpack(screen.component["liveInput"]))


def test_an_example_on_a_fresh_page_is_explained_live_at_once(user):
    user.page.locator(".st-key-example_pick").get_by_text("Z with a bar", exact=True).click()
    screen = settle(user.page)
    check_one_truth(screen, "example on a fresh page")
    assert screen.component["caption"].startswith("Z/z ")


def test_an_example_after_a_drawing_replaces_it_live(user):
    draw(user.page, SHAPES["2"], canvas=CANVAS)
    drawn = settle(user.page)
    check_one_truth(drawn, "a drawn 2")
    user.page.locator(".st-key-example_pick").get_by_text("Z with a bar", exact=True).click()
    example = settle(user.page)
    check_one_truth(example, "then the example")
    assert _live_fingerprint(example) != _live_fingerprint(drawn)
    user.undo()  # the drawing comes back, live and on the server
    back = settle(user.page)
    check_one_truth(back, "undo")
    assert _live_fingerprint(back) == _live_fingerprint(drawn)


def test_presenter_next_example_and_delete(user):
    user.presenter()
    settle(user.page)
    seen = set()
    for step in range(3):
        user.next_example()
        screen = settle(user.page)
        check_one_truth(screen, f"N #{step + 1}")
        seen.add(screen.component["server"]["fingerprint"])
    assert len(seen) == 3
    user.delete()
    cleared = settle(user.page)
    check_one_truth(cleared, "Delete")
    assert cleared.component["server"] is None and not cleared.component["liveInput"]


def test_an_upload_over_a_drawing_then_undo_then_a_blank_upload(user):
    draw(user.page, SHAPES["2"], canvas=CANVAS)
    drawn = settle(user.page)
    upload = user._key("upload").locator('input[type="file"]')
    upload.set_input_files(str(GOOD_UPLOAD))
    uploaded = settle(user.page)
    check_one_truth(uploaded, "upload over a drawing")
    assert uploaded.component["strokes"] == 0  # the canvas shows the picture, not the drawing
    assert _live_fingerprint(uploaded) != _live_fingerprint(drawn)
    draw(user.page, SHAPES["bar"], canvas=CANVAS)  # drawing on a picture starts a new drawing
    new = settle(user.page)
    check_one_truth(new, "a stroke on the picture")
    assert new.component["strokes"] == 1
    user.undo()  # the upload comes back
    back = settle(user.page)
    check_one_truth(back, "undo")
    assert _live_fingerprint(back) == _live_fingerprint(uploaded)
    upload.set_input_files(str(BLANK_UPLOAD))
    blank = settle(user.page)
    check_one_truth(blank, "a blank upload")
    assert blank.component["server"] is None and not blank.component["liveInput"]
    assert "blank" in blank.text
    pixels = np.frombuffer(__import__("base64").b64decode(blank.component["canvas"]), np.uint8)
    assert pixels.reshape(-1, 4)[:, :3].max() == 0  # no stale picture beside the message


def test_a_random_test_image_is_explained_live(user):
    user.test_image()
    screen = settle(user.page)
    check_one_truth(screen, "random test image")
    assert "test image #" in screen.component["note"]


def test_compare_pairs_shows_the_upload_not_the_old_drawing(user):
    draw(user.page, SHAPES["2"], canvas=CANVAS)
    settle(user.page)
    user._key("upload").locator('input[type="file"]').set_input_files(str(GOOD_UPLOAD))
    uploaded = settle(user.page)
    user._go("Compare pairs")
    user.page.locator(".live-canvas[data-engine=ready]").first.wait_for(timeout=TIMEOUT)
    compared = settle(user.page)
    assert compared.component["liveInput"] == uploaded.component["liveInput"]
    assert compared.component["strokes"] == 0


def test_closing_edit_mode_keeps_the_undo_history(user):
    draw(user.page, SHAPES["Z"], canvas=CANVAS)
    first = settle(user.page)
    draw(user.page, SHAPES["bar"], canvas=CANVAS)
    settle(user.page)
    user.edit()  # open the editor and close it: the drawing goes back on the live canvas
    closed = settle(user.page)
    check_one_truth(closed, "edit closed")
    assert closed.component["strokes"] == 2  # the same strokes (the server now renders them)
    user.undo()  # no change in the editor, no step in the history: the bar goes
    undone = settle(user.page)
    check_one_truth(undone, "undo after the editor")
    assert _live_fingerprint(undone) == _live_fingerprint(first)


def test_one_undo_undoes_one_move_in_the_editor(user):
    """Verification of the one-truth issue: after moving a stroke in the editor and closing
    it, the first Undo did nothing and a second was needed (Redo the same)."""
    draw(user.page, SHAPES["Z"], canvas=CANVAS)
    settle(user.page)
    draw(user.page, SHAPES["bar"], canvas=CANVAS)
    before = settle(user.page)
    page = user.page
    user._key("editing_drawing").locator("label").click()
    editor = page.locator(".st-key-edit_canvas")
    editor.locator("canvas").first.wait_for(timeout=TIMEOUT)
    settle(page)
    editor.locator("button[title='Edit']").first.click()
    box = editor.locator("canvas").last.bounding_box()
    # the bar's right half (the Z's diagonal crosses its left half), dragged down
    x0, y0 = box["x"] + box["width"] * 0.63, box["y"] + box["height"] * 0.5
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0, y0 + 0.02 * box["height"] * step)
    page.mouse.up()
    moved = settle(page)
    assert _live_fingerprint(moved) != _live_fingerprint(before), "the move was not applied"
    user._key("editing_drawing").locator("label").click()
    editor.wait_for(state="detached", timeout=TIMEOUT)
    closed = settle(page)
    assert closed.component["strokes"] == 2
    user.undo()
    undone = settle(page)
    check_one_truth(undone, "one undo after a move")
    assert _live_fingerprint(undone) == _live_fingerprint(before)
    page.locator(".live-canvas .tools button", has_text="Redo").first.click()
    redone = settle(page)
    assert _live_fingerprint(redone) == _live_fingerprint(moved)


def test_the_undo_history_survives_another_network_and_compare_pairs(user):
    """Verification of the one-truth issue: switching the network, or Compare pairs and back,
    emptied the canvas' undo history (the component is mounted again)."""
    draw(user.page, SHAPES["Z"], canvas=CANVAS)
    first = settle(user.page)
    draw(user.page, SHAPES["bar"], canvas=CANVAS)
    settle(user.page)
    user.compare_and_back()
    back = settle(user.page)
    assert back.component["strokes"] == 2
    user.undo()
    undone = settle(user.page)
    check_one_truth(undone, "undo after Compare pairs and back")
    assert (
        undone.component["strokes"] == 1
        and undone.component["liveInput"] == first.component["liveInput"]
    )


def test_the_network_switch_keeps_its_choice_after_compare_pairs(user):
    """Final check of the one-truth issue: after a test image, Undo, Compare pairs and back, the
    Network control showed no choice while the title named the pair's network (Streamlit had
    forgotten the widget's value)."""
    page = user.page
    user.example()
    settle(page)
    user.test_image()
    settle(page)
    user.undo()
    settle(page)
    user.compare_and_back()
    settle(page)
    chosen = page.locator(".st-key-net button[aria-checked=true]")
    assert chosen.count() == 1 and chosen.first.inner_text() == "2 vs Z/z"
