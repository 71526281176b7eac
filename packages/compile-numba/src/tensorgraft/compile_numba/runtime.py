"""Helpers that generated code calls (Numba-compiled, imported by every generated module)."""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["log1mexp_f", "sigmoid_f"]

_LN2 = math.log(2.0)


@numba.njit(cache=True, error_model="numpy")
def sigmoid_f(x):
    """1 / (1 + exp(-x)) without overflow for either sign of x."""
    if x >= 0:
        return 1 / (1 + np.exp(-x))
    e = np.exp(x)
    return e / (1 + e)


@numba.njit(cache=True, error_model="numpy")
def log1mexp_f(x):
    """log(1 - exp(x)) for x <= 0, stable near 0 and for very negative x (Maechler 2012)."""
    if x > -_LN2:
        return np.log(-np.expm1(x))
    return np.log1p(-np.exp(x))
