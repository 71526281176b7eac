"""Ops that run through a Python callback (their `perform` in objmode), each with why.

Each entry is work left: a compiled template replaces the declaration.
"""

from __future__ import annotations

from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.tensor import construction as con
from tensorgraft.tensor import indexing as idx
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.linalg import decompositions as dec
from tensorgraft.tensor.linalg import inverse as inv
from tensorgraft.tensor.linalg import solvers as sol
from tensorgraft.tensor.sort import ArgSort, Sort

TODO = "not translated yet"

for _t, _why in [
    (Blockwise, f"{TODO}: needs a loop over batch axes around the core op's template"),
    (con.AllocDiag, f"{TODO}: a loop writing the diagonal"),
    (con.ExtractDiag, f"{TODO}: a strided view (np.diagonal)"),
    (con.Repeat, f"{TODO}: np.repeat along an axis"),
    (con.Split, f"{TODO}: views at the split points"),
    (idx.AdvancedSubtensor, f"{TODO}: integer-array and mask indexing loops"),
    (idx.AdvancedIncSubtensor, f"{TODO}: scatter loops (np.add.at semantics)"),
    (Sort, f"{TODO}: np.sort along the last axis only in Numba"),
    (ArgSort, f"{TODO}: np.argsort along the last axis only in Numba"),
    (dec.Eigh, f"{TODO}: np.linalg.eigh"),
    (dec.QR, f"{TODO}: np.linalg.qr (modes)"),
    (dec.SVD, f"{TODO}: np.linalg.svd"),
    (inv.Pinv, f"{TODO}: np.linalg.pinv"),
    (sol.CholeskySolve, f"{TODO}: two triangular solves"),
    (sol.Lstsq, f"{TODO}: np.linalg.lstsq"),
    (sol.Solve, f"{TODO}: np.linalg.solve (assume_a variants)"),
    (sol.SolveTriangular, f"{TODO}: a triangular solve loop"),
]:
    numba_impl.python_callback(_t, _why)
