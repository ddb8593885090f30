"""``reports/concepts.md`` and ``reports/concepts.json``: the TCAV results of every network,
written by ``python -m core levels-artefacts`` (concepts)."""

from __future__ import annotations

import json
from pathlib import Path

from core.levels.concepts import ALPHA, CONCEPTS, PER_CLASS, PER_CONCEPT, RANDOM_SETS

REPORTS = Path(__file__).resolve().parents[2] / "reports"
CONCEPTS_JSON = "concepts.json"
CONCEPTS_MD = "concepts.md"


def update_concepts(results: dict, folder: Path = REPORTS) -> list[Path]:
    """Merge ``{network: tcav result}`` into the JSON and rewrite the markdown from it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONCEPTS_JSON
    stored = json.loads(path.read_text()) if path.is_file() else {}
    for network, result in results.items():
        stored[network] = {
            "tests": result["tests"],
            "test_images_per_class": result["test_images_per_class"],
            "rows": result["rows"],
        }
    stored = _rounded(dict(sorted(stored.items())))
    path.write_text(json.dumps(stored, indent=1) + "\n")
    markdown = folder / CONCEPTS_MD
    markdown.write_text(render(stored))
    return [path, markdown]


def _arrow(row) -> str:
    return "more" if row["tcav_mean"] > row["null_mean"] else "less"


def render(stored: dict) -> str:
    lines = [
        "# Concepts: what each network's hidden layers respond to (TCAV)",
        "",
        "Written by `python -m core levels-artefacts --what concepts` (needs the dataset); do "
        "not edit by hand. Method: docs/methods.md, *Concepts*; code: `core/levels/concepts.py`.",
        "",
        f"Concepts ({len(CONCEPTS)}), each drawn {PER_CONCEPT} times from a stroke recipe with "
        "random position, size, tilt, brush and wobble, placed where it sits in a character: "
        + ", ".join(f"*{name}*" for name in CONCEPTS)
        + f". Random sets: {RANDOM_SETS} + 1 sets of {PER_CONCEPT} random scribbles (1-3 "
        "polylines of 2-4 random points), rendered the same way.",
        "",
        "For each network, concept, class and hidden layer: one concept vector per random set "
        "(the normal of a ridge classifier, concept vs that set), and the class's TCAV score for "
        f"each (the share of {PER_CLASS} of the class's test images, seeded, whose logit grows "
        "along the vector). Null: vectors between two random sets. Significance: Welch's "
        "two-sided t-test of the concept's scores against the null's, **Bonferroni-corrected** "
        f"over every concept, class and layer of the network, at {ALPHA}. *more* means the "
        "class's logit grows along the concept (its TCAV score is above the null's mean), "
        "*less* that it shrinks. *separable*: the held-out accuracy of the concept-vs-random "
        "classifier at that layer (is the concept visible there at all?).",
        "",
        "Scores are often nearly all-or-nothing (a direction raises a logit for almost every "
        "image of the class or for almost none), so the null's spread is wide; a concept that "
        "does not pass is not shown to be ignored, only not shown to matter, and one that "
        "passes at one layer may pass the other way at another (the vectors differ by layer). "
        "At the last hidden layer the directional derivative of a logit "
        "is the same for every image (the output layer is linear), so its scores there are 0 "
        "or 1 for a whole class: a concept that lowers both logits of a pair there (0 and 0) "
        "is significant but says only that the network's output weights point away from it.",
        "",
        "## Summary: significant concepts per network",
        "",
        "| network | significant (concept: class, direction, layers) | not significant anywhere |",
        "| --- | --- | --- |",
    ]
    for network, result in stored.items():
        significant: dict[tuple[str, str, str], list[str]] = {}
        for row in result["rows"]:
            if row["significant"]:
                key = (row["concept"], row["class"], _arrow(row))
                significant.setdefault(key, []).append(
                    row["layer_name"].split(" (")[0].replace("after ", "")
                )
        named = (
            "; ".join(
                f"{concept}: {label} {arrow} ({', '.join(layers)})"
                for (concept, label, arrow), layers in significant.items()
            )
            or "none"
        )
        hit = {concept for concept, _, _ in significant}
        missing = ", ".join(name for name in CONCEPTS if name not in hit) or "none"
        lines.append(f"| {network} | {named} | {missing} |")
    for network, result in stored.items():
        rows = [row for row in result["rows"] if row["significant"]]
        lines += [
            "",
            f"## {network}",
            "",
            f"{result['tests']} tests; {len(rows)} significant after correction; "
            f"{result['test_images_per_class']} test images per class.",
            "",
        ]
        if not rows:
            lines.append("No concept is significant for any class at any layer.")
            continue
        lines += [
            "| concept | layer | class | TCAV (mean ± sd) | null (mean ± sd) | corrected p "
            "| separable |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in rows:
            lines.append(
                f"| {row['concept']} | {row['layer_name']} | {row['class']} ({_arrow(row)}) | "
                f"{row['tcav_mean']:.2f} ± {row['tcav_sd']:.2f} | "
                f"{row['null_mean']:.2f} ± {row['null_sd']:.2f} | {row['p_bonferroni']:.1e} | "
                f"{row['cav_accuracy']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def _rounded(value):
    """Floats to 4 significant digits (the report shows 2; the JSON stays small)."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value
