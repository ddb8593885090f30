"""The schema of a shipped network's ``metadata.json``: every field a page reads is checked
(:func:`metadata_problem`) when the file is loaded (:func:`load_metadata`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TypeGuard

from core.errors import ModelFileError
from core.models.networks import THESIS_KIND, expected_classes
from core.models.paths import METADATA_FILE, model_dir
from core.models.weights_export import METADATA_KEY as WEIGHTS_METADATA_KEY
from core.safe_files import load_json

MAX_METADATA_BYTES = 16 * 2**20


def load_metadata(pair: str, kind: str = THESIS_KIND, root: Path | None = None) -> dict:
    """Training metadata of a shipped model (history, accuracies, confusion matrix...), checked
    against the schema the pages rely on (:func:`metadata_problem`)."""
    path = model_dir(pair, kind, root) / METADATA_FILE
    if not path.is_file():
        raise ModelFileError(path, "metadata file not found")
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_METADATA_BYTES // 2**20} MB")
    metadata = load_json(path)
    problem = metadata_problem(metadata, expected_classes(pair))
    if problem:
        raise ModelFileError(path, f"is not valid model metadata: {problem}")
    return metadata


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value, low: int = 0, high: float = math.inf) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < high


def _numbers(value, length: int | None = None) -> bool:
    return (
        isinstance(value, list)
        and (length is None or len(value) == length)
        and all(_number(item) for item in value)
    )


def _fields(record, names) -> TypeGuard[dict]:
    return isinstance(record, dict) and all(_number(record.get(name)) for name in names)


def metadata_problem(metadata, n_classes: int | None = None) -> str | None:
    """What is wrong with a metadata object, or None: every field a page reads is checked."""
    if not isinstance(metadata, dict):
        return "not a JSON object"
    missing = [
        key
        for key in ("pair", "classes", "seed", "epochs", "evaluation", "history", "dataset")
        if key not in metadata
    ]
    if missing:
        return f"lacks {', '.join(missing)}"
    classes = metadata["classes"]
    if not isinstance(classes, list) or len(classes) < 2:
        return "classes must be a list of at least two labels"
    if not all(isinstance(label, str) and 0 < len(label) <= 8 for label in classes):
        return "classes must be short text labels"
    if n_classes is not None and len(classes) != n_classes:
        return f"lists {len(classes)} classes, not {n_classes}"
    n = len(classes)
    if not isinstance(metadata["pair"], str):
        return "pair must be text"
    if not (_integer(metadata["seed"]) and _integer(metadata["epochs"], 1)):
        return "seed and epochs must be whole numbers (epochs at least 1)"
    for key in ("architecture", "kind"):
        if key in metadata and not isinstance(metadata[key], str):
            return f"{key} must be text"
    if "train_seconds" in metadata and not _number(metadata["train_seconds"]):
        return "train_seconds must be a number"
    if WEIGHTS_METADATA_KEY in metadata:
        problem = _weights_record_problem(metadata[WEIGHTS_METADATA_KEY])
        if problem:
            return problem
    dataset, versions = metadata["dataset"], metadata.get("versions", {})
    if not isinstance(dataset, dict) or not isinstance(dataset.get("id"), str):
        return "dataset.id must be text"
    if not isinstance(versions, dict) or not all(
        isinstance(versions.get(name, ""), str) for name in ("tensorflow", "keras")
    ):
        return "versions.tensorflow and versions.keras must be text"
    return _evaluation_problem(metadata["evaluation"], n) or _history_problem(metadata["history"])


def _hex_digest(value) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _weights_record_problem(record) -> str | None:
    """The weights export's record (``python -m core export-weights``): its files' checksums."""
    if not (
        isinstance(record, dict)
        and _hex_digest(record.get("sha256"))
        and _hex_digest(record.get("manifest_sha256"))
    ):
        return f"{WEIGHTS_METADATA_KEY} needs the sha256 and manifest_sha256 of the export"
    return None


def _evaluation_problem(evaluation, n: int) -> str | None:
    if not isinstance(evaluation, dict):
        return "evaluation must be an object"
    for split in ("train", "validation", "test"):
        scores = evaluation.get(split)
        if not _fields(scores, ("accuracy", "loss")):
            return f"evaluation.{split} needs numeric accuracy and loss"
        if "balanced_accuracy" in scores and not _number(scores["balanced_accuracy"]):
            return f"evaluation.{split}.balanced_accuracy must be a number"
    test = evaluation["test"]
    confusion = test.get("confusion")
    if not (
        isinstance(confusion, list)
        and len(confusion) == n
        and all(
            isinstance(row, list) and len(row) == n and all(_integer(c) for c in row)
            for row in confusion
        )
    ):
        return f"evaluation.test.confusion must be {n}x{n} counts"
    roc = test.get("roc")
    if roc is not None and not (
        isinstance(roc, dict)
        and _integer(roc.get("positive_label"), 0, n)
        and _numbers(roc.get("fpr"))
        and len(roc["fpr"]) >= 2
        and _numbers(roc.get("tpr"), len(roc["fpr"]))
        and _number(roc.get("auc"))
    ):
        return "evaluation.test.roc needs positive_label, fpr and tpr of one length, auc"
    per_label = test.get("per_label", [])
    if not isinstance(per_label, list) or not all(
        _fields(row, ("precision", "recall", "f1"))
        and _integer(row.get("label"), 0, n)
        and _integer(row.get("support"))
        for row in per_label
    ):
        return "evaluation.test.per_label rows need label, precision, recall, f1 and support"
    return None


def _history_problem(history) -> str | None:
    batch = history.get("batch") if isinstance(history, dict) else None
    if not isinstance(batch, dict) or not _numbers(batch.get("step")) or not batch["step"]:
        return "history needs a batch object with a non-empty step list"
    if not all(_numbers(batch.get(key), len(batch["step"])) for key in ("loss", "accuracy")):
        return "history.batch needs loss and accuracy lists as long as its steps"
    epochs = history.get("epoch")
    names = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
    if not isinstance(epochs, list) or not epochs or not all(_fields(e, names) for e in epochs):
        return f"history.epoch needs a non-empty list of records with {', '.join(names)}"
    kept = history.get("kept_epoch")
    if kept is not None and not _integer(kept, 1):
        return "history.kept_epoch must be a whole number"
    return None
