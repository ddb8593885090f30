"""Layer-wise relevance propagation (LRP) for Flatten / Dense / ReLU networks, in numpy.

The explained score is put on the output as relevance (``R = s * f``: the target's
probability by default, its pre-softmax score with ``output="logit"``), then every Dense
layer hands the relevance of its outputs back to its inputs::

    R_in = x * ((R_out / stabilise(z')) @ W'.T),   z' = x @ W' (+ b')

A rule is a small object that says what ``W'``, ``b'`` and the stabiliser are.
No maintained LRP library supports Keras 3 (see docs/methods.md), hence this file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.explain.common import DEFAULT_BATCH_SIZE, check_batch_size, prepare
from core.models.network import dense_stack
from core.types import TargetLike

_TINY = 1e-12


@dataclass(frozen=True)
class EpsilonRule:
    """LRP-epsilon: ``z' = x @ W + b``, divided by ``z' + epsilon * sign(z')``.

    ``epsilon = 0`` is LRP-0. With ``bias=True`` (default) the bias takes its share of the
    relevance, so a map sums to less than the output; a bias-free network conserves it.
    """

    epsilon: float = 0.01
    bias: bool = True

    def weights(self, kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return kernel, bias if self.bias else None

    def stabilise(self, z: np.ndarray) -> np.ndarray:
        return z + self.epsilon * np.where(z >= 0, 1.0, -1.0).astype(z.dtype)


@dataclass(frozen=True)
class ZPlusRule:
    """LRP-z+: only positive weights carry relevance, ``z' = x @ max(W, 0)``; biases ignored.

    Inputs must be non-negative (pixels, ReLU outputs). Relevance is conserved layer by layer,
    except by units no positive contribution reaches.
    """

    def weights(self, kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return np.maximum(kernel, 0), None

    def stabilise(self, z: np.ndarray) -> np.ndarray:
        return z


def relevance(stack, x: np.ndarray, top: np.ndarray, rule) -> np.ndarray:
    """Propagate output relevance ``top`` ``[n, classes]`` to the inputs ``[n, features]``."""
    layer_inputs = stack.forward(x)[0]
    modified = [rule.weights(kernel, bias) for kernel, bias in zip(stack.kernels, stack.biases)]
    r = top
    for index in reversed(range(len(stack.kernels))):
        kernel, bias = modified[index]
        inputs = layer_inputs[index]
        z = inputs @ kernel
        if bias is not None:
            z += bias
        z = rule.stabilise(z)
        z = np.where(np.abs(z) < _TINY, np.where(z >= 0, _TINY, -_TINY), z)
        r = inputs * ((r / z) @ kernel.T)
    return r


def lrp(
    model,
    images,
    target: TargetLike = None,
    *,
    rule=None,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """LRP with any rule object (default :class:`EpsilonRule`) on a Dense stack; see the module docstring."""
    rule = rule or EpsilonRule()
    request = prepare(model, images, target, contrast, output, engine="numpy")
    stack = dense_stack(model)
    batch_size = check_batch_size(batch_size)
    maps = np.empty_like(request.x)
    for start in range(0, request.n, batch_size):
        rows = slice(start, start + batch_size)
        x = request.x[rows]
        top = request.engine.outputs(x, output) * request.selector[rows]
        maps[rows] = relevance(stack, x, top, rule)
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
) -> np.ndarray:
    """LRP-epsilon on a Flatten / Dense / ReLU network. Signed.

    The output relevance is the target's probability by default (``output="probability"``)
    or, the usual form, its pre-softmax score (``output="logit"``); with ``contrast`` the
    contrast class's value enters with a minus sign. ``epsilon = 0`` is LRP-0, which on a
    bias-free ReLU network equals gradient x input of the logit. ``bias=False`` leaves the
    biases out of the denominators.

    Parameters as :func:`core.explain.saliency`, plus ``epsilon`` and ``bias``. Raises
    :class:`~core.models.network.UnsupportedModelError` for anything but a Dense stack.

    Ref. Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by
    Layer-Wise Relevance Propagation", PLOS ONE 10(7), 2015; Montavon et al., "Layer-Wise
    Relevance Propagation: An Overview" (2019).
    """
    return lrp(
        model,
        images,
        target,
        rule=EpsilonRule(epsilon, bias),
        contrast=contrast,
        output=output,
        batch_size=batch_size,
    )


def lrp_zplus(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """LRP-z+ on a Flatten / Dense / ReLU network: relevance flows along positive weights only.

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
        rule=ZPlusRule(),
        contrast=contrast,
        output=output,
        batch_size=batch_size,
    )
