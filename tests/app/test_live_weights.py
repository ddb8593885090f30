"""The weights exports served to the browser: checked, copied under a checksum address."""

from __future__ import annotations

from app import live_weights
from core.models import weights_export
from core.models.networks import split_network_key
from core.models.paths import PRETRAINED_DIR


def test_a_checked_export_is_published_under_its_checksum(tmp_path):
    found = weights_export.read_export(PRETRAINED_DIR / "2Z-cnn")
    served = live_weights.publish(found, tmp_path, tmp_path / "staging")
    assert served == f"2Z-cnn-{found.manifest_sha256[:8]}"
    for name in (weights_export.MANIFEST_FILE, weights_export.BINARY_FILE):
        assert (tmp_path / served / name).read_bytes() == (
            PRETRAINED_DIR / "2Z-cnn" / name
        ).read_bytes()
    stamp = (tmp_path / served / "weights.bin").stat().st_mtime_ns
    assert live_weights.publish(found, tmp_path, tmp_path / "staging") == served
    assert (tmp_path / served / "weights.bin").stat().st_mtime_ns == stamp  # reused, not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == [served, "staging"]
    assert list((tmp_path / "staging").iterdir()) == []  # no staging folder left


def test_a_damaged_copy_is_replaced(tmp_path):
    found = weights_export.read_export(PRETRAINED_DIR / "5S")
    served = live_weights.publish(found, tmp_path, tmp_path / "staging")
    (tmp_path / served / "weights.bin").write_bytes(b"broken")
    assert live_weights.publish(found, tmp_path, tmp_path / "staging") == served
    assert (tmp_path / served / "weights.bin").read_bytes() == (
        PRETRAINED_DIR / "5S" / "weights.bin"
    ).read_bytes()


def test_names_and_addresses():
    assert split_network_key("all8-cnn") == ("all8", "cnn")
    assert split_network_key("2Z") == ("2Z", "dense")
    url = live_weights.weights_url("8B-cnn")
    tag = weights_export.read_export(PRETRAINED_DIR / "8B-cnn").tag
    assert url == f"/app/static/weights/8B-cnn-{tag}/weights.json"
    assert (live_weights.WEIGHTS_DIR / f"8B-cnn-{tag}" / "weights.json").is_file()
    assert live_weights.weights_url("8B", "cnn") == url
    assert live_weights.engine_url() == "/app/static/live/engine.js"
