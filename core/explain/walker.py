"""The one backward walk every map-from-the-weights method shares, with its rules.

:func:`propagate` walks a signal from the output of a :class:`~core.models.layer_stack.LayerStack`
back to its input, layer by layer. What happens at each layer is the *rule*'s business (in the
spirit of Zennit's rules and composites): a rule object has

* ``weighted(layer, signal, x, output)`` for a Dense or Conv2D layer: ``x`` is the layer's
  input, ``output`` its output after the activation (``None`` for the last layer, whose
  activation the top signal already accounts for);
* ``pool(layer, signal, x, pooled)`` for max / average pooling.

Flatten / Reshape layers only reshape the signal back. The rules here:

========================  ====================================================================
:data:`GRADIENT`          ``g -> (g * [z > 0]) @ W.T``: the gradient (``W.T`` is the
                          transposed convolution for Conv2D; pooling routes as its gradient)
:data:`GUIDED`            ReLUs pass ``g * [z > 0] * [g > 0]`` (guided backpropagation)
:data:`DECONVNET`         ReLUs pass ``max(g, 0)`` (DeconvNet)
:class:`Epsilon`          LRP-ε: ``R -> x * ((R / stab(x @ W + b)) @ W.T)``
:class:`ZPlus`            LRP-z⁺: the same with ``max(W, 0)`` and no bias
:class:`ModuleX`          the thesis' rule ``H -> X * ((H - b) @ W.T)``; ``bias=False`` drops
                          ``b`` (what is left in contrast mode, where the bias terms cancel)
:class:`SplitAtOutput`    one rule on the output layer, another on the rest (the ablation)
========================  ====================================================================

The relevance rules (LRP, ModuleX) share :func:`pooling_rule`: a pooled value's relevance goes
back to the window's inputs in proportion to what each contributed (max pooling: all to the
winner), which is what the Dense rule gives on pooling folded into the next layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core.models.layer_stack import LayerStack, Pool, Reshape

_TINY = 1e-12


def propagate(
    stack: LayerStack, layer_inputs: list[np.ndarray], top: np.ndarray, rule, stop: int = 0
) -> np.ndarray:
    """Walk ``top`` (the signal at the last layer's pre-activation, ``[n, classes]``) back to
    the input of layer ``stop`` (0: the network's input, shaped like ``layer_inputs[0]``).

    ``layer_inputs`` is what :meth:`LayerStack.forward` returned for the same images.
    """
    layers = stack.layers
    last = len(layers) - 1
    signal = top
    for index in range(last, stop - 1, -1):
        layer, x = layers[index], layer_inputs[index]
        if isinstance(layer, Reshape):
            signal = layer.adjoint(signal, x)
        elif isinstance(layer, Pool):
            signal = rule.pool(layer, signal, x, layer_inputs[index + 1])
        else:
            signal = rule.weighted(
                layer, signal, x, None if index == last else layer_inputs[index + 1]
            )
    return signal


def pooling_rule(pool: Pool, signal: np.ndarray, x: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """``R_in = X * P.T(R_out / X_out)``: each pooled relevance back to the window's inputs, in
    proportion to what each contributed (max: all to the winner). Where the pooled value is
    0, so is its relevance."""
    share = np.divide(signal, pooled, out=np.zeros_like(signal), where=pooled != 0)
    return x * pool.adjoint(share, x)


class _GradientRule:
    """The gradient through the linear part of every layer; ``relu`` says how a ReLU is crossed."""

    def relu(self, g: np.ndarray, output: np.ndarray) -> np.ndarray:
        return g * (output > 0)

    def weighted(self, layer, g, x, output):
        if output is not None and layer.activation == "relu":
            g = self.relu(g, output)
        return layer.adjoint(g, x)

    def pool(self, layer, g, x, pooled):
        return layer.adjoint(g, x)


class _GuidedRule(_GradientRule):
    def relu(self, g, output):
        return g * ((output > 0) & (g > 0))


class _DeconvNetRule(_GradientRule):
    def relu(self, g, output):
        return np.maximum(g, 0)


GRADIENT = _GradientRule()
GUIDED = _GuidedRule()
DECONVNET = _DeconvNetRule()
RELU_RULES = {"gradient": GRADIENT, "guided": GUIDED, "deconvnet": DECONVNET}
"""The gradient rules by the name the methods use for how the walk crosses a ReLU."""


def _stabilised(z: np.ndarray) -> np.ndarray:
    return np.where(np.abs(z) < _TINY, np.where(z >= 0, _TINY, -_TINY), z)


@dataclass(frozen=True)
class Epsilon:
    """LRP-ε: ``z' = x @ W + b``, divided by ``z' + epsilon * sign(z')``.

    ``epsilon = 0`` is LRP-0. With ``bias=True`` (default) the bias takes its share of the
    relevance, so a map sums to less than the output; a bias-free network conserves it.
    """

    epsilon: float = 0.01
    bias: bool = True

    def output_relevance(self, logits, probabilities, selector, output: str) -> np.ndarray:
        """Relevance on the output layer. ``"logit"``: ``s_c * z_c``. ``"probability"``:
        ``s_c * p_c * z_c``, so the map of a class is its logit map times its probability (a
        positive factor), whatever the logit's sign; dividing ``p_c`` by the stabilised logit,
        as ``R = p_c`` would, flips the map where ``z_c < 0`` and blows it up near 0."""
        relevance = selector * logits
        return relevance * probabilities if output == "probability" else relevance

    def weighted(self, layer, r, x, output):
        if not self.bias:
            layer = dataclasses.replace(layer, bias=np.zeros_like(layer.bias))
        z = layer.linear(x)
        z = z + self.epsilon * np.where(z >= 0, 1.0, -1.0).astype(z.dtype)
        return x * layer.adjoint(r / _stabilised(z), x)

    def pool(self, layer, r, x, pooled):
        return pooling_rule(layer, r, x, pooled)


@dataclass(frozen=True)
class ZPlus:
    """LRP-z⁺: only positive weights carry relevance, ``z' = x @ max(W, 0)``; biases ignored.

    Inputs must be non-negative (pixels, ReLU outputs). Relevance is conserved layer by layer,
    except by units no positive contribution reaches.
    """

    def output_relevance(self, logits, probabilities, selector, output: str) -> np.ndarray:
        """``s_c * p_c`` (probability) or ``s_c * z_c`` (logit): the denominators are positive,
        so a map keeps the sign of what is put on the output, and sums to it."""
        return selector * (probabilities if output == "probability" else logits)

    def weighted(self, layer, r, x, output):
        positive = dataclasses.replace(
            layer, kernel=np.maximum(layer.kernel, 0), bias=np.zeros_like(layer.bias)
        )
        return x * positive.adjoint(r / _stabilised(positive.linear(x)), x)

    def pool(self, layer, r, x, pooled):
        return pooling_rule(layer, r, x, pooled)


@dataclass(frozen=True)
class ModuleX:
    """The thesis' rule ``H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)``; ``bias=False`` leaves the
    ``b_i`` out (the bias policy: contrast maps drop them, since they cancel there exactly)."""

    bias: bool = True

    def weighted(self, layer, h, x, output):
        if self.bias:
            h = h - layer.bias
        return x * layer.adjoint(h, x)

    def pool(self, layer, h, x, pooled):
        return pooling_rule(layer, h, x, pooled)


@dataclass(frozen=True)
class SplitAtOutput:
    """``output_layer`` on the last layer, ``others`` on every other one (a two-rule composite)."""

    output_layer: object
    others: object

    def weighted(self, layer, signal, x, output):
        rule = self.output_layer if output is None else self.others
        return rule.weighted(layer, signal, x, output)

    def pool(self, layer, signal, x, pooled):
        return self.others.pool(layer, signal, x, pooled)


__all__ = [
    "DECONVNET",
    "GRADIENT",
    "GUIDED",
    "RELU_RULES",
    "Epsilon",
    "ModuleX",
    "SplitAtOutput",
    "ZPlus",
    "pooling_rule",
    "propagate",
]
