"""Writing every levels file of a network: what ``python -m core levels-artefacts`` and
``python -m core train`` run (:mod:`core.levels.artefacts` checks and reads them)."""

from __future__ import annotations

from pathlib import Path

from core.levels.artefacts import write_influence
from core.levels.concepts import write_concepts

ARTEFACTS = ("influence", "concepts")


def write_artefacts(name: str, kind: str, root: Path | None = None, what=None, sets=None):
    """Every levels file of a network (or those named in ``what``), from its saved weights:
    (paths written, {"concepts": the TCAV result} when concepts were computed)."""
    what = ARTEFACTS if what is None else tuple(what)
    written, results = [], {}
    if "influence" in what:
        written.append(write_influence(name, kind, root))
    if "concepts" in what:
        path, results["concepts"] = write_concepts(name, kind, root, sets)
        written.append(path)
    return written, results
