"""Layer-wise relevance propagation (LRP) on Dense stacks and CNNs, in numpy.

The explained score is put on the output as relevance, then every weighted layer hands the
relevance of its outputs back to its inputs along the shared walk
(:func:`core.explain.walker.propagate`)::

    R_in = x * ((R_out / stabilise(z')) @ W'.T),   z' = x @ W' (+ b')

(for Conv2D, ``@ W'.T`` is the transposed convolution; pooling shares a pooled relevance among
its window's inputs in proportion to what each contributed). A rule object
(:class:`~core.explain.walker.Epsilon`, :class:`~core.explain.walker.ZPlus`) says what ``W'``,
``b'`` and the stabiliser are, and what goes on the output. No maintained LRP library supports
Keras 3 (see docs/methods.md), hence this file.
"""

from __future__ import annotations

import numpy as np

from core.explain.backends import NumpyEngine
from core.explain.common import DEFAULT_BATCH_SIZE, check_batch_size, prepare
from core.explain.walker import Epsilon, ZPlus, propagate
from core.models.layer_stack import UnsupportedModelError, softmax
from core.types import TargetLike


def lrp(
    model,
    images,
    target: TargetLike = None,
    *,
    rule=None,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """LRP with any rule object (default :class:`~core.explain.walker.Epsilon`); see the module
    docstring. ``engine``: ``"auto"`` / ``"numpy"``, or ``"float64"`` for reference sums."""
    rule = rule or Epsilon()
    if engine == "keras":
        raise ValueError(
            "LRP runs on the numpy view of the model: engine 'auto', 'numpy' or 'float64'"
        )
    request = prepare(
        model, images, target, contrast, output, "numpy" if engine == "auto" else engine
    )
    if not isinstance(request.engine, NumpyEngine):
        raise UnsupportedModelError("LRP needs a model the numpy view can follow")
    stack = request.engine.stack
    dtype = request.engine.dtype
    batch_size = check_batch_size(batch_size)
    maps = np.empty(request.x.shape, dtype)
    for start in range(0, request.n, batch_size):
        rows = slice(start, start + batch_size)
        layer_inputs, logits, _ = stack.forward(request.x[rows])
        probabilities = softmax(logits.astype(np.float64)) if stack.ends_in_softmax else logits
        top = rule.output_relevance(logits, probabilities, request.selector[rows], output)
        relevance = propagate(stack, layer_inputs, top.astype(dtype, copy=False), rule)
        maps[rows] = relevance.reshape(len(logits), -1)
    return request.to_maps(maps)


def lrp_epsilon(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    epsilon: float = 0.01,
    bias: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """LRP-epsilon on a Dense or convolutional ReLU network. Signed.

    With ``output="logit"`` (the usual form) the output relevance is the target's pre-softmax
    score ``z_t``; with ``output="probability"`` (the default) the map is that logit map times
    the target's probability ``p_t``, a positive factor, so its sign never flips with the
    logit's. With ``contrast`` the contrast class's term enters with a minus sign.
    ``epsilon = 0`` is LRP-0, which on a bias-free ReLU network equals gradient x input of the
    logit. ``bias=False`` leaves the biases out of the denominators.

    Parameters as :func:`core.explain.saliency`, plus ``epsilon`` and ``bias``.

    Ref. Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by
    Layer-Wise Relevance Propagation", PLOS ONE 10(7), 2015; Montavon et al., "Layer-Wise
    Relevance Propagation: An Overview" (2019).
    """
    return lrp(
        model,
        images,
        target,
        rule=Epsilon(epsilon, bias),
        contrast=contrast,
        output=output,
        batch_size=batch_size,
        engine=engine,
    )


def lrp_zplus(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """LRP-z+ on a Dense or convolutional ReLU network: relevance flows along positive weights.

    A map has the sign of the output relevance (the target's probability by default, its
    pre-softmax score with ``output="logit"``; mixed with ``contrast``) and sums to it
    except for what reaches units with no positive input. Parameters as :func:`lrp_epsilon`.

    Ref. Montavon et al., "Explaining nonlinear classification decisions with deep Taylor
    decomposition", Pattern Recognition 65, 2017.
    """
    return lrp(
        model,
        images,
        target,
        rule=ZPlus(),
        contrast=contrast,
        output=output,
        batch_size=batch_size,
        engine=engine,
    )
