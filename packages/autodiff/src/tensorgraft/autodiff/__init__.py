"""Automatic differentiation of tensorgraft graphs.

`grad(cost, wrt)` (reverse mode), `pullback`/`Lop` (vector-Jacobian products) and
`pushforward`/`Rop` (Jacobian-vector products), `jacobian`, `hessian`,
`hessian_vector_product`, the gradient blockers `stop_gradient`/`zero_grad` and
`disconnected_grad`, and `verify_grad`. Rules live in tables keyed by op type
(`registry`); every result is an ordinary graph.
"""

# Importing the rule modules fills the tables.
import tensorgraft.autodiff.construction as _construction  # noqa: F401
import tensorgraft.autodiff.elemwise as _elemwise  # noqa: F401
import tensorgraft.autodiff.linalg as _linalg  # noqa: F401
import tensorgraft.autodiff.matmul as _matmul  # noqa: F401
import tensorgraft.autodiff.reduction as _reduction  # noqa: F401
import tensorgraft.autodiff.shape as _shape  # noqa: F401
import tensorgraft.autodiff.special as _special  # noqa: F401
import tensorgraft.autodiff.subtensor as _subtensor  # noqa: F401
from tensorgraft.autodiff.__about__ import __version__
from tensorgraft.autodiff.coverage import Coverage, coverage, coverage_of
from tensorgraft.autodiff.engine import (
    DisconnectedInputError,
    Lop,
    NoGradientRuleError,
    Rop,
    grad,
    pullback,
    pushforward,
)
from tensorgraft.autodiff.jacobian import hessian, hessian_vector_product, jacobian
from tensorgraft.autodiff.ops import (
    DisconnectedGrad,
    ZeroGrad,
    disconnected_grad,
    stop_gradient,
    zero_grad,
)
from tensorgraft.autodiff.registry import (
    declare_disconnected,
    declare_not_implemented,
    defscalar,
    register_pullback,
    register_pushforward,
)
from tensorgraft.autodiff.verify import GradientError, verify_grad, verify_graph_grad

__all__ = [
    "Coverage",
    "DisconnectedGrad",
    "DisconnectedInputError",
    "GradientError",
    "Lop",
    "NoGradientRuleError",
    "Rop",
    "ZeroGrad",
    "__version__",
    "coverage",
    "coverage_of",
    "declare_disconnected",
    "declare_not_implemented",
    "defscalar",
    "disconnected_grad",
    "grad",
    "hessian",
    "hessian_vector_product",
    "jacobian",
    "pullback",
    "pushforward",
    "register_pullback",
    "register_pushforward",
    "stop_gradient",
    "verify_grad",
    "verify_graph_grad",
    "zero_grad",
]
