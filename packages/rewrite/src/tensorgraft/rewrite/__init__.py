"""Graph rewrites for tensorgraft: one engine, tagged rules, named pipelines.

`rewrite_graph(outputs, include=("canonicalize",))` rewrites a graph and returns the new
outputs; `default_pipeline` is what `tensorgraft.compile.function` runs. Rules are
declarative patterns (`register_pattern`) or functions of a node (`register`), indexed
by the op they track and tagged with the phases they belong to. See README.md for the
canonical form that later phases rely on.
"""

from tensorgraft.rewrite import fusion as fusion
from tensorgraft.rewrite import inplace as inplace
from tensorgraft.rewrite import rules as rules
from tensorgraft.rewrite.__about__ import __version__
from tensorgraft.rewrite.engine import (
    RULES,
    RewriteError,
    RewriteEvent,
    Rule,
    add_rule,
    query,
    register,
    register_pattern,
    rewrite_fgraph,
)
from tensorgraft.rewrite.pipeline import default_pipeline, rewrite_graph, run_phases

__all__ = [
    "RULES",
    "RewriteError",
    "RewriteEvent",
    "Rule",
    "__version__",
    "add_rule",
    "default_pipeline",
    "query",
    "register",
    "register_pattern",
    "rewrite_fgraph",
    "rewrite_graph",
    "run_phases",
]
