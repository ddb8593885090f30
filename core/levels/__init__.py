"""Why, at every level, on the live drawing (issue 23): one module per level.

* :mod:`core.levels.strokes` — your strokes: the exact Shapley value of each stroke (or ink
  component of a picture) for the question's score, coalitions framed as the whole drawing is;
* :mod:`core.levels.edits` — the edit that flips it: the smallest edit of the strokes from a
  small grammar that flips the answer while the "not one of these" judge accepts the result;
* :mod:`core.levels.concepts` — concepts a student can name (TCAV), and the sensitivity of the
  current question to each significant one;
* :mod:`core.levels.influence` — training examples: the exact gradient dot product between the
  current question and every training image, and self-influence.

The question is ``(mode, target, contrast)`` in class indices with a score
(:mod:`core.levels.question`): the question :mod:`core.explain.question` resolved, built by
``Question.from_resolved``. A set of strokes is drawn as the canvas draws it by
:mod:`core.levels.ink`.
Every call takes the network's numpy view (:func:`core.models.load_network`) or a Keras model.
Names are re-exported lazily, so importing one module does not load the others.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "question": ("Question", "logits_of", "scored_question"),
        "ink": ("StrokeInk", "stroke_ink"),
        "framing": ("Frame", "frame_of", "reframe"),
        "shapley": ("Shapley", "shapley", "EXACT_LIMIT"),
        "components": ("ink_components",),
        "strokes": ("StrokeValues", "stroke_values", "picture_values", "stroke_codes", "cut"),
        "edits": ("FlipEdit", "Judge", "flip_edit", "judge_for", "describe", "candidates"),
        "vectorise": ("trace",),
        "pictures": ("traced_flip_edit",),
        "counterfactual": ("PixelCounterfactual", "pixel_counterfactual"),
        "concepts": (
            "CONCEPTS",
            "ConceptVectors",
            "concept_sensitivities",
            "read_concepts",
            "tcav",
        ),
        "influence": (
            "InfluenceIndex",
            "TrainingExamples",
            "influence_index",
            "training_examples",
        ),
        "artefacts": ("SelfInfluence", "possibly_mislabelled", "read_influence"),
        "build": ("write_artefacts",),
    },
)
