"""The type-agnostic graph IR of tensorgraft.

A graph is a bipartite DAG of `Variable` and `Apply` nodes; an `Apply` applies an
immutable, hashable `Op` to input variables. `FunctionGraph` is a mutable view used for
rewriting and compiling; `graph_replace`, `clone_replace` and `dprint` work on ordinary
graphs and return or print new ones.
"""

from tensorgraft.graph.__about__ import __version__
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.dprint import dprint
from tensorgraft.graph.fg import Feature, FunctionGraph
from tensorgraft.graph.op import Op
from tensorgraft.graph.replace import clone_replace, graph_replace
from tensorgraft.graph.traversal import (
    ancestors,
    applys_between,
    clone,
    clone_get_equiv,
    equal_computations,
    graph_inputs,
    io_toposort,
    toposort,
)
from tensorgraft.graph.type import Type
from tensorgraft.graph.utils import MissingInputError

__all__ = [
    "Apply",
    "Constant",
    "Feature",
    "FunctionGraph",
    "MissingInputError",
    "Op",
    "Type",
    "Variable",
    "__version__",
    "ancestors",
    "applys_between",
    "clone",
    "clone_get_equiv",
    "clone_replace",
    "dprint",
    "equal_computations",
    "graph_inputs",
    "graph_replace",
    "io_toposort",
    "toposort",
]
