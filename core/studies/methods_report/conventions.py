"""How each number of the methods report is computed here, and how that differs from the
usual libraries (shown on the Methods page and in docs/methods.md)."""

from __future__ import annotations

CONVENTIONS = (
    (
        "Integrated Gradients",
        "Trapezoid rule over `steps` intervals from the black image (steps + 1 gradients, the "
        "end points weighted 1/2). Captum's `riemann_trapezoid` with n_steps = N spreads the path "
        "over N points, so at the same number its weights differ from ours by N/(N+1) "
        "(128/129 at 128).",
    ),
    (
        "Grad-CAM",
        "The 7x7 (or other) map is upsampled to 28x28 with corner-aligned bilinear "
        "interpolation (the corners of the two grids coincide); libraries that align pixel "
        "centres give slightly shifted maps.",
    ),
    (
        "Deletion / insertion / ROAD",
        "Pixels are ranked by the map, ties broken in a seeded random order; Quantus uses "
        "`argsort`, which breaks ties by position. On block-constant maps (occlusion, LIME) "
        "that alone moves the AUC by up to 0.06. 28 equal steps, black baseline, the target's "
        "probability.",
    ),
    (
        "MuFidelity",
        "128 random sets of 4x4 cells, each cell removed with probability 0.2. The cell size "
        "matters a lot: gradient x input scores 0.56 with 4x4 cells and 0.80 with single pixels.",
    ),
    (
        "LRP-z⁺",
        "Biases are dropped. Zennit's default z⁺ rule keeps the bias's positive part, so its "
        "maps differ where biases are large.",
    ),
    (
        "ROAD",
        "Removed pixels get noisy linear imputation (neighbour weights 1/6 direct, 1/12 "
        "diagonal, noise std 0.01), 0-90 % removed in 10 % steps, the target's probability. "
        "Quantus sweeps 1-99 % in 2 % steps and scores whether the prediction stays.",
    ),
    (
        "Max- / avg-sensitivity",
        "5 copies with Gaussian noise of std 0.02 (pixels 0-1, clipped), maps divided by their "
        "max |value| before comparing. Quantus: uniform noise, 200 samples.",
    ),
    (
        "MPRT and random logit",
        "Spearman rank correlation (Quantus' default is SSIM). MPRT is reported on |maps| over "
        "all pixels (the paper's form), on ink pixels only, and on signed maps over ink.",
    ),
    (
        "Completeness",
        "The map's sum against f(x) - f(black) for the explained score (probability); median "
        "relative error and the share of images within 1 %. Quantus returns yes/no, exact.",
    ),
    (
        "Input invariance",
        "The input becomes 0.2 + 0.8·x and the network's first layer undoes it exactly; the "
        "maps before and after are correlated (Pearson). Quantus shifts by a constant and asks "
        "for equality; our images must stay in [0, 1].",
    ),
    (
        "Relevance mass (localisation)",
        "EMNIST has no ground-truth masks, so both regions are proxies we built: the ink, and "
        "the pixels where stroke-rendered look-alikes (core/examples) differ by more than 0.25.",
    ),
)
"""(what, how it is computed here and how that differs from the usual libraries)."""
