"""Random test image -> Pick one, on 15 generated damaged datasets: never an uncaught error;
the page names the damaged file, and the canvas and the uploader stay on the page."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from core.data import dataset as data
from core.data.idx import idx_bytes, write_idx
from tests.app.conftest import run_page, texts

MAPPING = "0 48\n1 50\n2 53\n3 56\n4 66 98\n5 79 111\n6 83 115\n7 90 122\n"
IMAGES, LABELS = data.PAIR_FILES["test_images"], data.PAIR_FILES["test_labels"]


def _write_dataset(folder):
    pairs = folder / "pairs"
    pairs.mkdir()
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        labels = np.repeat(np.arange(8, dtype=np.uint8), 3)
        write_idx(pairs / data.PAIR_FILES[f"{split}_labels"], labels)
        images = rng.integers(0, 256, (len(labels), 28, 28)).astype(np.uint8)
        write_idx(pairs / data.PAIR_FILES[f"{split}_images"], images)
    (pairs / data.PAIR_FILES["mapping"]).write_text(MAPPING)
    return pairs


def _gz(payload: bytes) -> bytes:
    return gzip.compress(payload, mtime=0)


DAMAGES = {
    "images truncated": (IMAGES, lambda raw: raw[: len(raw) // 2]),
    "images not gzip": (IMAGES, lambda raw: b"plain text, not gzip"),
    "images empty": (IMAGES, lambda raw: b""),
    "images bad magic": (IMAGES, lambda raw: _gz(b"\x01\x02\x03\x04" + bytes(100))),
    "images with 1 dimension": (IMAGES, lambda raw: _gz(idx_bytes(np.zeros(24, np.uint8)))),
    "images 27x28": (IMAGES, lambda raw: _gz(idx_bytes(np.zeros((24, 27, 28), np.uint8)))),
    "images as floats": (IMAGES, lambda raw: _gz(idx_bytes(np.zeros((24, 28, 28), ">f4")))),
    "images shorter than the header": (
        IMAGES,
        lambda raw: _gz(idx_bytes(np.zeros((24, 28, 28), np.uint8))[:-10]),
    ),
    "images gzip bomb": (
        IMAGES,
        lambda raw: _gz(idx_bytes(np.zeros((24, 28, 28), np.uint8)) + bytes(32 * 2**20)),
    ),
    "labels truncated": (LABELS, lambda raw: raw[: len(raw) // 2]),
    "labels fewer than images": (LABELS, lambda raw: _gz(idx_bytes(np.zeros(5, np.uint8)))),
    "labels outside the mapping": (LABELS, lambda raw: _gz(idx_bytes(np.full(24, 9, np.uint8)))),
    "mapping garbage": (data.PAIR_FILES["mapping"], lambda raw: b"zero forty-eight\n"),
    "mapping empty": (data.PAIR_FILES["mapping"], lambda raw: b""),
    "mapping without Z": (data.PAIR_FILES["mapping"], lambda raw: MAPPING.encode()[:-9]),
    # the 8-character pick accepted these while the pair pages refused them (issue 25)
    "mapping listing S twice": (
        data.PAIR_FILES["mapping"],
        lambda raw: MAPPING.replace("2 53", "2 83 115").encode(),
    ),
    "mapping with a 3 for the 5": (
        data.PAIR_FILES["mapping"],
        lambda raw: MAPPING.replace("2 53", "2 51").encode(),
    ),
    "mapping with labels shifted": (
        data.PAIR_FILES["mapping"],
        lambda raw: "".join(
            f"{int(line.split()[0]) + 1} {line.split(' ', 1)[1]}\n" for line in MAPPING.splitlines()
        ).encode(),
    ),
}
QUICK = ("images truncated", "labels outside the mapping", "mapping without Z")


@pytest.mark.parametrize("damage", [name for name in DAMAGES if name.startswith("mapping")])
def test_every_scope_refuses_the_same_mapping_files(damage, tmp_path, monkeypatch):
    """A mapping file is refused by the 8-character pick exactly when the pair pages refuse it."""
    from core.errors import DatasetError

    pairs = _write_dataset(tmp_path)
    name, change = DAMAGES[damage]
    (pairs / name).write_bytes(change((pairs / name).read_bytes()))
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    data._load_split_cached.cache_clear()
    outcomes = []
    for load in (lambda: data.load_split("test"), lambda: data.load_pair("5S", "test")):
        try:
            load()
            outcomes.append("accepted")
        except DatasetError as error:
            assert name in str(error) and "To fix:" in str(error)
            outcomes.append("refused")
    assert outcomes == ["refused", "refused"], (damage, outcomes)


def _pick(tmp_path, monkeypatch, damage, scope):
    pairs = _write_dataset(tmp_path)
    name, change = DAMAGES[damage]
    (pairs / name).write_bytes(change((pairs / name).read_bytes()))
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    data._load_split_cached.cache_clear()
    app = run_page(session={"net": scope})
    assert not app.exception, app.exception
    app.button(key="test_pick").click().run()
    assert not app.exception, (damage, [e.stack_trace for e in app.exception])
    shown = texts(app)
    assert "No test image:" in shown and "To fix:" in shown and name in shown, damage
    assert app.get("file_uploader"), "the uploader must stay on the page"


@pytest.mark.parametrize("damage", QUICK)
def test_pick_on_a_damaged_dataset_names_the_file(damage, tmp_path, monkeypatch):
    _pick(tmp_path, monkeypatch, damage, "pair")


@pytest.mark.slow
@pytest.mark.parametrize("scope", ["pair", "all8"])
@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_pick_on_every_damaged_dataset(damage, scope, tmp_path, monkeypatch):
    if scope == "pair" and damage in QUICK:
        pytest.skip("in the quick tier")
    _pick(tmp_path, monkeypatch, damage, scope)


def test_pick_on_an_intact_dataset_shows_a_test_image(tmp_path, monkeypatch):
    _write_dataset(tmp_path)
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    data._load_split_cached.cache_clear()
    app = run_page()
    app.button(key="test_pick").click().run()
    assert not app.exception and "No test image" not in texts(app)
