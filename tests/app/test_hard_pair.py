"""A hard pair says so (0 vs O): its pages carry the network's test accuracy with its 95%
interval, from the network's own metadata; with the data, how the network leans on the ink's
width and its surest mistakes. An easy pair's pages carry no such note."""

from __future__ import annotations

import pytest

from core.insight.hard_pairs import HARD_BELOW, accuracy_interval
from core.models.metadata import load_metadata
from tests.app.conftest import run_page, texts


def _accuracy(pair: str, kind: str = "dense") -> tuple[int, int]:
    test = load_metadata(pair, kind)["evaluation"]["test"]
    return round(test["accuracy"] * test["n"]), test["n"]


@pytest.mark.parametrize("page", ["views/draw.py", "views/global_maps.py"])
def test_the_hard_pair_says_how_often_its_network_is_right(page, no_dataset):
    right, total = _accuracy("0O")
    assert right / total < HARD_BELOW
    low, high = accuracy_interval(right, total)
    app = run_page(page, query={"pair": "0O"})
    assert not app.exception
    warning = " ".join(w.value for w in app.warning)
    assert "0 vs O/o is a hard pair for this network" in warning
    assert f"right on {right / total:.0%} of its {total:,} test images" in warning
    assert f"95% interval {low:.0%}–{high:.0%}" in warning


def test_an_easy_pair_has_no_note(no_dataset):
    right, total = _accuracy("8B")
    assert right / total >= HARD_BELOW
    app = run_page("views/global_maps.py", query={"pair": "8B"})
    assert "hard pair" not in " ".join(w.value for w in app.warning)


@pytest.mark.dataset
def test_with_the_data_it_shows_the_leaning_and_the_surest_mistakes(with_dataset):
    app = run_page("views/global_maps.py", query={"pair": "0O"})
    assert not app.exception
    table = app.table[0].value
    assert table["test images"].sum() == _accuracy("0O")[1]
    assert "it leans on how wide the ink is" in texts(app)
    captions = [shown.caption for image in app.get("image") for shown in image.proto.imgs]
    assert len(captions) == 6
    said = [float(c.rsplit("(", 1)[1].rstrip("%)")) for c in captions]
    assert said == sorted(said, reverse=True)  # surest first
    for caption in captions:  # each is a mistake: the true character is not the one said
        true, guess = caption.removeprefix("a ").split(", said ")
        assert true != guess.rsplit(" (", 1)[0], caption
