"""``python -m core download``: fetch the official EMNIST archive and build the 8-character set.

The archive (NIST's ``gzip.zip``) holds every EMNIST split. From it we take the Digits split
(0 2 5 8) and the Letters split (B O S Z, case-merged), keep the official train / test split,
and write ``pairs/`` in the official idx format (stored transposed, like every EMNIST file),
with a mapping file in the official format. Nothing is left half-written: the archive goes to
a temporary file renamed only when complete, every member is checked against its official
size and sha256 before use, and ``pairs/`` is swapped in only when all of it is written.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.dataset import PAIR_FILES, data_dir, label_for, read_mapping
from core.data.idx import read_gzip_idx, write_idx
from core.data.pairs import EIGHT_CHARACTERS
from core.errors import DatasetError

OFFICIAL_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
URL_ENVIRONMENT_VARIABLE = "EMNIST_URL"
ARCHIVE_FOLDER = "gzip"

# Official sizes and sha256 of the archive members the 8-character set is built from.
OFFICIAL_MEMBERS: dict[str, tuple[int, str]] = {
    "emnist-digits-train-images-idx3-ubyte.gz": (
        59515779,
        "f7c95004d14d81af89522e67d8f0c781dfb3bd544181c81bfe1eb6b41c35b726",
    ),
    "emnist-digits-train-labels-idx1-ubyte.gz": (
        113859,
        "6638a6ff5fe2eefd9cca2471995b46c82986b8e4b2a70d2f5ce8e05d7edb319e",
    ),
    "emnist-digits-test-images-idx3-ubyte.gz": (
        9908519,
        "20ebe43509264f7639d37c835a3f0b009e90b29e00a099a03101abe1644a3f63",
    ),
    "emnist-digits-test-labels-idx1-ubyte.gz": (
        19960,
        "bad1834c45d5988e270b99d43b13edc3fd898f658ffbc2caf2846ef27f7b05b0",
    ),
    "emnist-letters-train-images-idx3-ubyte.gz": (
        30804864,
        "6288f418a917e007bf5fddb823a2dc7a5c6a35031401b93292a539cb12bd881f",
    ),
    "emnist-letters-train-labels-idx1-ubyte.gz": (
        79283,
        "9759af91ea6bccdf07a6040fd085861f2ec88e37f7c3f5760f6feb57106fbe5c",
    ),
    "emnist-letters-test-images-idx3-ubyte.gz": (
        5039157,
        "50f0e93d75b99b463e9760b8345866f22587fa2c2fba472730a5ba09c693412d",
    ),
    "emnist-letters-test-labels-idx1-ubyte.gz": (
        144,
        "924955c31fe7fd809b7303b5c0141282955f4b8390c74cdfd5d80435e0f4b4cb",
    ),
}
OFFICIAL_MEMBERS["emnist-letters-mapping.txt"] = (
    274,
    "a56cb9a31c08e3251a61ea7b1ec8bc4f4cabdc1edf3128508d3a485ad53fa456",
)
MAPPING_MEMBERS = ("emnist-digits-mapping.txt", "emnist-letters-mapping.txt")
OFFICIAL_MAPPINGS = {
    "emnist-digits-mapping.txt": {digit: chr(48 + digit) for digit in range(10)},
    "emnist-letters-mapping.txt": {k: chr(64 + k) + chr(96 + k) for k in range(1, 27)},
}
"""What the mapping files must say, checked on every download (the digits mapping's official
sha256 is not recorded here, so its content is what is checked; the letters one has both)."""
MAX_MAPPING_BYTES = 4096
MAX_ARCHIVE_BYTES = 640 * 2**20
"""Largest archive accepted (the official gzip.zip holds about 536 MB)."""
DOWNLOAD_DEADLINE_S = 3600.0
"""The whole download must finish within this (each read also times out after ``timeout``)."""
SOURCES = {"digits": ("0", "2", "5", "8"), "letters": ("B", "O", "S", "Z")}

Progress = Callable[[int, int | None, str], None]
"""``progress(done, total, stage)``: bytes (or steps) done, total if known, what is happening."""


class DownloadError(Exception):
    """The download or the build failed; nothing half-written was left behind."""


@dataclass(frozen=True)
class DownloadResult:
    folder: Path
    counts: dict


def archive_url(url: str | None = None) -> str:
    return url or os.environ.get(URL_ENVIRONMENT_VARIABLE) or OFFICIAL_URL


def fetch(
    url: str,
    destination: Path,
    progress: Progress | None = None,
    timeout: float = 60.0,
    max_bytes: int = MAX_ARCHIVE_BYTES,
    deadline_s: float = DOWNLOAD_DEADLINE_S,
) -> Path:
    """Stream ``url`` to ``destination`` through a temporary file renamed only when complete;
    stop at ``max_bytes`` or after ``deadline_s`` seconds, whichever comes first."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(
        prefix=destination.name + ".", suffix=".part", dir=destination.parent
    )
    partial = Path(partial_name)
    received = 0
    deadline = time.monotonic() + deadline_s
    try:
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(url, timeout=timeout) as response,
        ):
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise DownloadError(
                    f"{url} announces {total:,} bytes, more than the {max_bytes:,} of a genuine "
                    "archive; nothing was downloaded"
                )
            read = getattr(response, "read1", response.read)  # read1: no waiting for a full block
            while block := read(1 << 16):
                out.write(block)
                received += len(block)
                if received > max_bytes:
                    raise DownloadError(
                        f"{url} sent more than {max_bytes:,} bytes, more than a genuine archive; "
                        "stopped, nothing was kept"
                    )
                if time.monotonic() > deadline:
                    raise DownloadError(
                        f"the download of {url} took longer than {deadline_s:.0f} s "
                        f"({received:,} bytes received); stopped, nothing was kept. Run the "
                        "command again on a faster connection"
                    )
                if progress:
                    progress(received, total, "downloading")
        if total is not None and received != total:
            raise DownloadError(
                f"the download of {url} stopped after {received} of {total} bytes; "
                "run the command again"
            )
        partial.replace(destination)
        return destination
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise DownloadError(
            f"could not download {url}: {getattr(error, 'reason', error)}; check the address and "
            "your connection, then run the command again"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _read_member(
    archive: zipfile.ZipFile, name: str, expected: dict[str, tuple[int, str]]
) -> bytes:
    """A member's bytes, checked: its declared size before decompressing anything (a zip bomb
    is refused there), then its actual size and sha256 while streaming, and for a mapping file
    its content. A member with no recorded check is refused."""
    member = f"{ARCHIVE_FOLDER}/{name}"
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise DownloadError(f"the archive has no {member}; is it the EMNIST gzip.zip?") from None
    if name in expected:
        limit, digest = expected[name]
    elif name in OFFICIAL_MAPPINGS:
        limit, digest = MAX_MAPPING_BYTES, None
    else:
        raise DownloadError(f"{member} has no recorded checksum; refusing to use it")
    if info.file_size > limit or (digest is not None and info.file_size != limit):
        raise DownloadError(
            f"checksum mismatch for {member}: it declares {info.file_size:,} bytes, expected "
            f"{limit:,}; the archive is damaged or not the official one (refused before "
            "decompressing). Nothing was written"
        )
    hasher, chunks, size = hashlib.sha256(), [], 0
    try:
        with archive.open(info) as stream:
            while block := stream.read(1 << 20):
                size += len(block)
                if size > limit:
                    raise DownloadError(
                        f"{member} holds more than the {limit:,} bytes it should; the archive "
                        "is damaged or not the official one. Nothing was written"
                    )
                hasher.update(block)
                chunks.append(block)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DownloadError(
            f"{member} in the archive is damaged ({error}); delete it and download again"
        ) from None
    raw = b"".join(chunks)
    if digest is not None and (size != limit or hasher.hexdigest() != digest):
        raise DownloadError(
            f"checksum mismatch for {member}: expected {limit} bytes with sha256 {digest[:16]}..., "
            f"got {size} bytes with sha256 {hasher.hexdigest()[:16]}...; the archive is damaged "
            "or not the official one. Nothing was written"
        )
    if name in OFFICIAL_MAPPINGS and _parsed_mapping(raw) != OFFICIAL_MAPPINGS[name]:
        raise DownloadError(
            f"{member} does not hold the official EMNIST mapping; the archive is damaged or not "
            "the official one. Nothing was written"
        )
    return raw


def _parsed_mapping(raw: bytes) -> dict[int, str] | None:
    mapping = {}
    for line in raw.decode("ascii", errors="replace").splitlines():
        fields = line.split()
        if not fields:
            continue
        if not all(field.isdigit() for field in fields) or len(fields) < 2:
            return None
        mapping[int(fields[0])] = "".join(chr(int(code)) for code in fields[1:] if int(code) < 128)
    return mapping


def build_pairs_from_archive(
    archive_path: Path,
    out_folder: Path,
    expected=OFFICIAL_MEMBERS,
    progress: Progress | None = None,
) -> dict:
    """Write the 8-character set into ``out_folder`` from an EMNIST ``gzip.zip``; return counts."""
    out_folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, list[int]] = {}
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DownloadError(
            f"{archive_path} is not a zip archive ({error}); delete it and download again"
        ) from None
    with archive:
        mappings, mapping_names = {}, dict(zip(SOURCES, MAPPING_MEMBERS, strict=True))
        for source, mapping_name in mapping_names.items():
            text = _read_member(archive, mapping_name, expected)
            mapping_path = out_folder / mapping_name
            mapping_path.write_bytes(text)
            mappings[source] = read_mapping(mapping_path)
            mapping_path.unlink()
        steps = len(OFFICIAL_MEMBERS)
        for split in ("train", "test"):
            images_out, labels_out = [], []
            for source, characters in SOURCES.items():
                stem = f"emnist-{source}-{split}"
                raw_images = _read_member(archive, f"{stem}-images-idx3-ubyte.gz", expected)
                raw_labels = _read_member(archive, f"{stem}-labels-idx1-ubyte.gz", expected)
                images = read_gzip_idx(raw_images, f"{stem}-images", 3)
                labels = read_gzip_idx(raw_labels, f"{stem}-labels", 1)
                for character in characters:
                    source_label = label_for(mappings[source], character, mapping_names[source])
                    keep = labels == source_label
                    images_out.append(images[keep])
                    labels_out.append(
                        np.full(int(keep.sum()), EIGHT_CHARACTERS.index(character), np.uint8)
                    )
                if progress:
                    progress(len(counts) + 1, steps, f"building {split} from {source}")
            all_images, all_labels = np.concatenate(images_out), np.concatenate(labels_out)
            write_idx(out_folder / PAIR_FILES[f"{split}_images"], all_images)
            write_idx(out_folder / PAIR_FILES[f"{split}_labels"], all_labels)
            counts[split] = np.bincount(all_labels, minlength=8).tolist()
    lines = [
        f"{label} {ord(character)}" + (f" {ord(character.lower())}" if character.isalpha() else "")
        for label, character in enumerate(EIGHT_CHARACTERS)
    ]
    (out_folder / PAIR_FILES["mapping"]).write_text("\n".join(lines) + "\n", encoding="ascii")
    return counts


def download(
    url: str | None = None,
    destination: Path | None = None,
    expected=OFFICIAL_MEMBERS,
    progress: Progress | None = None,
    keep_archive: bool = False,
) -> DownloadResult:
    """Download the archive and build ``<data dir>/pairs``; replaces it only when all went well.

    The archive is fetched under a temporary name and every file taken from it is checked
    against its official size and sha256 before anything is kept: the archive is renamed to
    ``gzip.zip`` (with ``keep_archive``) and ``pairs/`` swapped in only after that.
    A ``gzip.zip`` kept from an earlier run is reused (and checked the same way).
    """
    root = destination or data_dir()
    root.mkdir(parents=True, exist_ok=True)
    kept_archive = root / "gzip.zip"
    if kept_archive.is_file():
        archive_path = kept_archive
    else:
        archive_path = fetch(
            archive_url(url), root / f"gzip.{uuid.uuid4().hex[:8]}.zip.unverified", progress
        )
    staging = Path(tempfile.mkdtemp(prefix="pairs.", suffix=".partial", dir=root))
    try:
        try:
            counts = build_pairs_from_archive(archive_path, staging, expected, progress)
        except (DownloadError, DatasetError):
            archive_path.unlink(missing_ok=True)  # a bad archive must not be reused next time
            raise
        final = root / "pairs"
        if final.exists():
            retired = root / "pairs.old"
            shutil.rmtree(retired, ignore_errors=True)
            final.rename(retired)
            staging.rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(final)
        if keep_archive and archive_path != kept_archive:
            archive_path.replace(kept_archive)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if archive_path != kept_archive or not keep_archive:
            archive_path.unlink(missing_ok=True)
    return DownloadResult(final, counts)
