"""Shapley values of a set game, exact over every coalition or by permutation sampling.

``value(coalitions)`` takes a bool matrix ``[k, n]`` (row: which players are in) and returns
``[k]`` numbers. Exact: every one of the 2^n coalitions, ``phi_i = sum over S without i of
|S|! (n - |S| - 1)! / n! * (v(S + i) - v(S))`` (Lundberg and Lee, 2017; Shapley, 1953).
Sampled: antithetic random orders (each order and its reverse); a player's value is its mean
marginal contribution, its standard error the spread of the pairs' means over sqrt(pairs). Both
satisfy efficiency exactly (sum phi = v(all) - v(none)): every order's contributions telescope.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np

EXACT_LIMIT = 10
"""Players up to which every coalition is evaluated (2^10 = 1,024)."""
SAMPLED_COALITIONS = 2048
"""Coalitions evaluated above :data:`EXACT_LIMIT` (random orders: about this many / n)."""


@dataclass(frozen=True)
class Shapley:
    values: np.ndarray  # float64 [n]
    standard_errors: np.ndarray  # float64 [n], zeros when exact
    v_all: float
    v_none: float
    exact: bool
    coalitions: int  # how many coalitions were evaluated


def all_coalitions(n: int) -> np.ndarray:
    """Bool ``[2^n, n]``: row ``k`` holds player ``i`` when bit ``i`` of ``k`` is set."""
    index = np.arange(2**n)
    return ((index[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


def exact_from_values(values: np.ndarray, n: int) -> np.ndarray:
    """Shapley values from ``v`` of every coalition, indexed by bit mask (``[2^n]``)."""
    values = np.asarray(values, np.float64)
    index = np.arange(2**n)
    sizes = np.zeros(2**n, np.int64)
    for i in range(n):
        sizes += (index >> i) & 1
    weights = np.array(
        [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)], np.float64
    )
    result = np.empty(n)
    for i in range(n):
        without = index[((index >> i) & 1) == 0]
        result[i] = np.dot(weights[sizes[without]], values[without | (1 << i)] - values[without])
    return result


def shapley(value, n: int, seed: int = 0, budget: int = SAMPLED_COALITIONS) -> Shapley:
    """Exact up to :data:`EXACT_LIMIT` players, sampled above (seeded)."""
    if n == 0:
        empty = float(value(np.zeros((1, 0), bool))[0])
        return Shapley(np.zeros(0), np.zeros(0), empty, empty, True, 1)
    if n <= EXACT_LIMIT:
        every = np.asarray(value(all_coalitions(n)), np.float64)
        return Shapley(
            exact_from_values(every, n),
            np.zeros(n),
            float(every[-1]),
            float(every[0]),
            True,
            len(every),
        )
    rng = np.random.default_rng(seed)
    pairs = max(2, budget // (2 * n))
    firsts = [rng.permutation(n) for _ in range(pairs)]
    orders = np.array([order for first in firsts for order in (first, first[::-1])])
    # prefixes of every order: rows 1..n-1 (the empty and the full coalition once each)
    prefix = np.zeros((len(orders), n + 1, n), bool)
    for step in range(1, n + 1):
        prefix[:, step] = prefix[:, step - 1]
        prefix[np.arange(len(orders)), step, orders[:, step - 1]] = True
    middle = prefix[:, 1:n].reshape(-1, n)
    ends = np.array([np.zeros(n, bool), np.ones(n, bool)])
    v = np.asarray(value(np.concatenate([ends, middle])), np.float64)
    v_none, v_all = float(v[0]), float(v[1])
    path = np.concatenate(
        [
            np.full((len(orders), 1), v_none),
            v[2:].reshape(len(orders), n - 1),
            np.full((len(orders), 1), v_all),
        ],
        axis=1,
    )
    contributions = np.zeros((len(orders), n))
    contributions[np.arange(len(orders))[:, None], orders] = np.diff(path, axis=1)
    paired = (contributions[0::2] + contributions[1::2]) / 2
    values = paired.mean(axis=0)
    errors = paired.std(axis=0, ddof=1) / np.sqrt(len(paired))
    return Shapley(values, errors, v_all, v_none, False, len(v))
