"""Ops that run through a Python callback (their `perform` in objmode) on purpose, each
declared with why: none at the level of op types any more.

Some templates still decline particular nodes with a reason (the node then runs as a
callback): eigh of the upper triangle (LAPACK's reduction of it gives eigenvectors of
other signs than Numba's lower-triangle eigh), special functions of complex numbers,
arange with float bounds to an integer dtype, round of complex numbers.
"""

from __future__ import annotations

from tensorgraft.compile_numba.registry import numba_impl

DECLARED: list[tuple[type, str]] = []

for _t, _why in DECLARED:
    numba_impl.python_callback(_t, _why)
