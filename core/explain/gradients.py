"""Gradient methods: saliency, gradient x input, Integrated Gradients, SmoothGrad, guided
backpropagation and DeconvNet.

Every method explains ``score = f_target`` (minus ``f_contrast`` when a contrast class is
given), where ``f`` is the softmax probability by default (``output="probability"``) or the
pre-softmax score (``output="logit"``). All run in bounded batches of ``batch_size`` rows:
the copies IG and SmoothGrad make of each image are built one chunk at a time.
"""

from __future__ import annotations

import functools

import numpy as np

from core.explain.common import (
    DEFAULT_BATCH_SIZE,
    Request,
    flat_baseline,
    prepare,
    row_chunks,
    sum_per_image,
)
from core.types import TargetLike


def _weighted_gradients(
    request: Request,
    copies: int,
    make_rows,
    weights: np.ndarray,
    batch_size: int,
    relu_rule: str = "gradient",
) -> np.ndarray:
    """``sum_k weights[k] * gradient(make_rows(images, k))`` per image, in bounded chunks."""
    total = np.zeros_like(request.x)
    for images, k in row_chunks(request.n, copies, batch_size):
        gradients = request.gradients(make_rows(images, k), images, relu_rule)
        sum_per_image(gradients * weights[k, None], images, total)
    return total


def _plain_gradients(request: Request, batch_size: int, relu_rule: str = "gradient") -> np.ndarray:
    return _weighted_gradients(
        request,
        1,
        lambda images, _: request.x[images],
        np.ones(1, np.float32),
        batch_size,
        relu_rule,
    )


def saliency(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """Saliency: the absolute value of the score's gradient with respect to each pixel.

    Explains the target's probability by default; ``output="logit"`` explains its
    pre-softmax score. Unsigned (>= 0). ``contrast`` explains ``f_target - f_contrast``.

    Parameters
    ----------
    model : keras.Model
    images : array ``[n, 28, 28]``, uint8 0-255 or float 0-1
    target : int, ints per image, one-hot rows or None (the predicted class)
    contrast : int, ints per image, "other" (two classes) or None
    output : {"probability", "logit"}
    batch_size : int
        Images run through the network at once.
    engine : {"auto", "numpy", "keras"}
        numpy passes over a Dense stack or TensorFlow's GradientTape (see :mod:`.engine`).

    Returns
    -------
    float32 ``[n, 28, 28]``

    Ref. Simonyan, Vedaldi & Zisserman, "Deep Inside Convolutional Networks" (2013),
    arXiv:1312.6034.
    """
    request = prepare(model, images, target, contrast, output, engine)
    return request.to_maps(np.abs(_plain_gradients(request, batch_size)))


def gradient_x_input(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """Gradient x input: each pixel's value times the score's gradient there. Signed.

    Explains the target's probability by default; ``output="logit"`` (its usual form)
    explains the pre-softmax score, where on a bias-free ReLU network it equals LRP-0.
    Parameters as :func:`saliency`.

    Ref. Shrikumar et al., "Not Just a Black Box" (2016), arXiv:1605.01713.
    """
    request = prepare(model, images, target, contrast, output, engine)
    return request.to_maps(request.x * _plain_gradients(request, batch_size))


QUADRATURES = ("gauss-legendre", "trapezoid")


def path_nodes(steps: int, quadrature: str = "gauss-legendre") -> tuple[np.ndarray, np.ndarray]:
    """Points ``alpha`` in [0, 1] and weights of the path integral ``int_0^1 g(alpha) d alpha``.

    ``"gauss-legendre"``: ``steps`` Gauss-Legendre nodes (Captum's default method).
    ``"trapezoid"``: ``steps`` intervals, ``steps + 1`` points, the end points weighted 1/2.
    Read-only arrays, computed once per ``(steps, quadrature)``: numpy finds the Gauss-Legendre
    nodes as the eigenvalues of a dense ``steps x steps`` matrix (9 s of CPU at 2,048 steps).
    """
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if quadrature not in QUADRATURES:
        raise ValueError(f"quadrature must be one of {QUADRATURES}, not {quadrature!r}")
    return _path_nodes(steps, quadrature)


@functools.lru_cache(maxsize=16)
def _path_nodes(steps: int, quadrature: str) -> tuple[np.ndarray, np.ndarray]:
    if quadrature == "gauss-legendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        alphas, weights = ((nodes + 1) / 2).astype(np.float32), (weights / 2).astype(np.float32)
    else:
        alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)
        weights = np.full(steps + 1, 1.0 / steps, np.float32)
        weights[[0, -1]] /= 2
    alphas.flags.writeable = weights.flags.writeable = False
    return alphas, weights


def integrated_gradients(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    steps: int = 256,
    quadrature: str = "gauss-legendre",
    baseline: float | np.ndarray = 0.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """Integrated Gradients: ``(x - x0) * mean gradient on the straight path from x0 to x``.

    The path integral is taken with ``steps`` Gauss-Legendre nodes (default) or the trapezoid
    rule over ``steps`` intervals. Completeness: a map sums to ``score(x) - score(x0)`` of
    whatever is explained, the target's probability by default or its pre-softmax score with
    ``output="logit"``; the ReLU kinks on the path make the error shrink only about as
    1 / steps (the measured figures are in the README, ``python -m core sweep-explain``).
    Signed.

    Parameters
    ----------
    steps : int
        Gradients per image on the path (``steps + 1`` with the trapezoid rule), run
        ``batch_size`` at a time.
    quadrature : {"gauss-legendre", "trapezoid"}
    baseline : float or array ``[28, 28]`` in [0, 1]
        ``x0``; 0 is a black image.

    Other parameters as :func:`saliency`.

    Ref. Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks" (2017),
    arXiv:1703.01365.
    """
    alphas, weights = path_nodes(steps, quadrature)
    request = prepare(model, images, target, contrast, output, engine)
    start = flat_baseline(baseline, request.x.shape[1])
    difference = request.x - start
    mean_gradient = _weighted_gradients(
        request,
        len(alphas),
        lambda images, k: start + alphas[k, None] * difference[images],
        weights,
        batch_size,
    )
    return request.to_maps(difference * mean_gradient)


def smoothgrad(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    samples: int = 32,
    noise: float = 0.15,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """SmoothGrad: the score's gradient averaged over noisy copies of the image. Signed.

    Each image gets ``samples`` copies with Gaussian noise of standard deviation ``noise``
    times its value range. The noise draws are fixed by ``seed`` and shared by all images of a
    call, so a map does not depend on the batch it came in. Explains the target's probability
    by default; ``output="logit"`` explains the pre-softmax score.

    Ref. Smilkov et al., "SmoothGrad: removing noise by adding noise" (2017), arXiv:1706.03825.
    """
    if int(samples) < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    request = prepare(model, images, target, contrast, output, engine)
    draws = np.random.default_rng(seed).standard_normal(
        (int(samples), request.x.shape[1]), dtype=np.float32
    )
    sigma = noise * (request.x.max(axis=1) - request.x.min(axis=1))
    weights = np.full(int(samples), 1.0 / samples, np.float32)
    mean_gradient = _weighted_gradients(
        request,
        int(samples),
        lambda images, k: request.x[images] + sigma[images, None] * draws[k],
        weights,
        batch_size,
    )
    return request.to_maps(mean_gradient)


def guided_backprop(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """Guided backpropagation: the gradient, but a ReLU passes back only positive signals
    where its input was positive. Signed (the softmax / top layer can make it negative).

    Explains the target's probability by default; ``output="logit"`` (the usual form)
    explains the pre-softmax score. On a Dense stack the rule runs in numpy; otherwise on a
    clone of the model (the given model is never changed). Parameters as :func:`saliency`.

    Ref. Springenberg et al., "Striving for Simplicity: The All Convolutional Net" (2014),
    arXiv:1412.6806.
    """
    request = prepare(model, images, target, contrast, output, engine)
    return request.to_maps(_plain_gradients(request, batch_size, "guided"))


def deconvnet(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """DeconvNet: backward pass where a ReLU passes back the positive part of the signal,
    whatever its forward input was. Signed.

    Explains the target's probability by default; ``output="logit"`` (the usual form)
    explains the pre-softmax score. Parameters as :func:`saliency`.

    Ref. Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks" (2013),
    arXiv:1311.2901.
    """
    request = prepare(model, images, target, contrast, output, engine)
    return request.to_maps(_plain_gradients(request, batch_size, "deconvnet"))
