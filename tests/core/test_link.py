"""An input in a link: every kind round-trips, and a tampered link gives a LinkError naming
what was wrong, never another exception."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.link import (
    LIMIT_SIMPLIFY,
    LinkedInput,
    LinkError,
    decode,
    encode,
    pack_strokes,
    unpack_strokes,
)
from core.inputs.strokes import PixelStroke

NETWORKS = ("2Z", "5S", "8B", "0O", "all8")
EXAMPLES = {"Z", "2, round top"}


def _decode(text: str) -> LinkedInput:
    return decode(text, NETWORKS, EXAMPLES)


def test_whole_pixel_strokes_come_back_exactly():
    strokes = (
        PixelStroke(20.0, [(10.0, 12.0), (200.0, 12.0), (15.0, 260.0), (270.0, 265.0)]),
        PixelStroke(6.0, [(140.0, 140.0)]),
        PixelStroke(40.0, [(-30.0, 5.0), (300.0, 310.0)]),  # partly off the canvas (an edit)
    )
    back = unpack_strokes(pack_strokes(strokes))
    assert back == strokes


def test_every_kind_of_input_round_trips():
    picture = np.arange(784, dtype=np.uint8).reshape(28, 28) % 251
    for linked in (
        LinkedInput("example", name="2, round top"),
        LinkedInput("test", name="all8", index=4711),
        LinkedInput("strokes", strokes=(PixelStroke(20.0, [(1.0, 2.0), (3.0, 4.0)]),)),
    ):
        assert _decode(encode(linked)) == linked
    back = _decode(encode(LinkedInput("picture", picture=picture)))
    assert back.kind == "picture" and np.array_equal(back.picture, picture)


def test_a_long_drawing_is_simplified_to_fit_a_link():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(0, 1.5, size=(6000, 2)), axis=0) % 280
    long = (PixelStroke(20.0, [tuple(p) for p in walk]),)
    text = pack_strokes(long)
    assert len(text) <= LIMIT_SIMPLIFY
    back = unpack_strokes(text)[0]
    assert 1 < len(back.points) < len(walk)
    assert back.points[0] == tuple(float(round(v)) for v in walk[0])  # the ends are kept
    assert back.points[-1] == tuple(float(round(v)) for v in walk[-1])


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("", "not an example"),
        ("nonsense", "not an example"),
        ("example:no such drawing", "no shipped example"),
        ("test:XX:3", "no test image"),
        ("test:2Z:-3", "no test image"),
        ("test:2Z:12345678", "no test image"),
        ("strokes:", "empty"),
        ("strokes:%%%", "URL-safe base64"),
        ("strokes:" + "A" * 20000, "too long"),
        ("strokes:" + "A" * 12001, "reasonable length"),
        ("strokes:__________8B", "too large"),
        ("strokes:AgAA", "out of range"),
        ("strokes:ARQC", "cut short"),
        ("strokes:ARQBAAAA", "left over"),
        ("picture:AAAA", "784 grey levels"),
    ],
)
def test_a_tampered_link_says_what_is_wrong(text, phrase):
    with pytest.raises(LinkError, match=phrase):
        _decode(text)


def test_random_bytes_never_raise_anything_but_a_link_error():
    import base64

    rng = np.random.default_rng(1)
    for size in range(1, 200, 3):
        data = base64.urlsafe_b64encode(rng.bytes(size)).decode().rstrip("=")
        for kind in ("strokes", "picture"):
            try:
                _decode(f"{kind}:{data}")
            except LinkError:
                pass


def test_coordinates_far_off_the_canvas_are_refused():
    far = (PixelStroke(20.0, [(0.0, 0.0), (5000.0, 10.0)]),)
    with pytest.raises(LinkError, match="leaves the canvas"):
        unpack_strokes(pack_strokes(far))
