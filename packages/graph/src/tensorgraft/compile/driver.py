"""`function`: compile a graph to a callable. `Function`: that callable."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from tensorgraft.compile.backends import Backend, resolve_backend, rewriter
from tensorgraft.compile.shared import SharedVariable
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.replace import clone_replace
from tensorgraft.graph.traversal import ancestors, graph_inputs
from tensorgraft.graph.utils import describe

# Keys are variables. Mapping is invariant in its key type, so Mapping[Variable, Any]
# would refuse a user's dict[TensorVariable, ...].
Pairs = Mapping[Any, Any] | Iterable[tuple[Variable, Any]]


def _pairs(arg: Pairs | None) -> list[tuple[Variable, Any]]:
    if arg is None:
        return []
    return list(arg.items() if isinstance(arg, Mapping) else arg)


def _input_checker(
    var: Variable, position: int, signature: str, allow_downcast: bool | None
) -> Callable[[Any], Any]:
    """A fast check for one input: exact arrays pass at once, others go through filter."""
    t = var.type
    dtype = getattr(t, "numpy_dtype", None)
    ndim = getattr(t, "ndim", None)
    fixed = [(a, s) for a, s in enumerate(getattr(t, "shape", ())) if s is not None]
    label = f"input {describe(var)} (argument {position}) of {signature}"

    def check(value: Any) -> Any:
        if type(value) is np.ndarray and value.dtype == dtype and value.ndim == ndim:
            shape = value.shape
            if all(shape[a] == s for a, s in fixed):
                return value
        try:
            return t.filter(value, allow_downcast=allow_downcast)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{label} expects {t}: {err}") from None

    return check


def _aliasing_outputs(fgraph: FunctionGraph) -> list[int]:
    """Positions of outputs to copy: those that may share memory with an input, a
    constant or an earlier output (updates count as outputs, after the user's)."""
    # The variables whose buffer each variable may use (itself unless an op views one).
    roots: dict[Variable, frozenset[Variable]] = {}
    for node in fgraph.toposort():
        alias_map = {**node.op.view_map, **node.op.destroy_map}
        for o, ins in alias_map.items():
            sources = [node.inputs[i] for i in ins]
            roots[node.outputs[o]] = frozenset().union(
                *(roots.get(v, frozenset([v])) for v in sources)
            )
    copy: list[int] = []
    seen: set[Variable] = set()
    for k, out in enumerate(fgraph.outputs):
        out_roots = roots.get(out, frozenset([out]))
        if any(r.owner is None or r in seen for r in out_roots):
            copy.append(k)
        seen |= out_roots
    return copy


class Function:
    """A compiled graph. Call it with input values; it returns the output values.

    Attributes:
        inputs: the user's input variables, in call order.
        outputs: the user's output variables.
        fgraph: the graph that runs (after the rewrites of the chosen backend).
        backend: the backend that compiled it.
    """

    def __init__(
        self,
        inputs: list[Variable],
        outputs: list[Variable],
        single_output: bool,
        fgraph: FunctionGraph,
        backend: Backend,
        shared: list[Variable],
        updates: list[SharedVariable],
        allow_downcast: bool | None,
        name: str | None,
    ) -> None:
        self.inputs = inputs
        self.outputs = outputs
        self.fgraph = fgraph
        self.backend = backend
        self.name = name
        self._single = single_output
        self._shared = shared
        self._updates = updates
        self._n_out = len(outputs)
        names = ", ".join(v.name or f"<{v.type}>" for v in inputs)
        self._signature = f"{name or 'function'}({names})"
        self._checkers = [
            _input_checker(v, k, self._signature, allow_downcast) for k, v in enumerate(inputs)
        ]
        self._by_name = {v.name: k for k, v in enumerate(inputs) if v.name}
        self._thunk = backend.link(fgraph)
        self._n_in = len(inputs)
        # A thunk whose outputs are fresh arrays (never an input's or a constant's memory,
        # nor a writable view of another output) spares us the copies of aliasing outputs.
        fresh = getattr(self._thunk, "fresh_outputs", getattr(backend, "fresh_outputs", False))
        self._copy = [] if fresh else _aliasing_outputs(fgraph)
        # A backend whose compiled code checks every input (and raises TypeError for a
        # value it does not take as is) lets calls skip the Python checkers.
        self._checks_inputs = bool(
            getattr(self._thunk, "checks_inputs", getattr(backend, "checks_inputs", False))
        )
        self._plain = not shared and not updates and not self._copy
        self.trust_input = False

    @property
    def trust_input(self) -> bool:
        """True: call the compiled graph with the values as given, unchecked."""
        return self._trust_input

    @trust_input.setter
    def trust_input(self, value: bool) -> None:
        self._trust_input = bool(value)
        self._fast = self._plain and (self._trust_input or self._checks_inputs)

    @property
    def mode(self) -> str:
        return self.backend.name

    @property
    def report(self) -> Any:
        """What the backend says about how it compiled the graph (None if it says nothing):
        e.g. the c backend lists which nodes run as C and which call back Python."""
        return getattr(self._thunk, "report", None)

    def _arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        n = len(self.inputs)
        if not kwargs and len(args) == n:
            return list(args)
        values: list[Any] = list(args) + [_MISSING] * (n - len(args))
        if len(args) > n:
            raise TypeError(f"{self._signature} takes {n} inputs, got {len(args)}")
        for key, value in kwargs.items():
            if key not in self._by_name:
                raise TypeError(f"{self._signature} has no input named {key!r}")
            k = self._by_name[key]
            if values[k] is not _MISSING:
                raise TypeError(f"{self._signature} got two values for input {key!r}")
            values[k] = value
        missing = [describe(self.inputs[k]) for k, v in enumerate(values) if v is _MISSING]
        if missing:
            raise TypeError(f"{self._signature} is missing a value for {', '.join(missing)}")
        return values

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fast and not kwargs and len(args) == self._n_in:
            # The per-call fast path: no shared values, updates or copies to make.
            values = list(args)
            try:
                results = self._thunk(values)
            except TypeError as err:
                results = self._thunk(self._recheck(values, err))
            return results[0] if self._single else list(results)
        values = self._arguments(args, kwargs)
        if not self._trust_input:
            if self._checks_inputs:
                values.extend(s.container for s in self._shared)  # type: ignore[attr-defined]
                try:
                    results = self._thunk(values)
                except TypeError as err:
                    results = self._thunk(self._recheck(values, err))
                return self._finish(results)
            values = [check(v) for check, v in zip(self._checkers, values, strict=True)]
        values.extend(s.container for s in self._shared)  # type: ignore[attr-defined]
        return self._finish(self._thunk(values))

    def _recheck(self, values: list[Any], err: TypeError) -> list[Any]:
        """After the compiled code refused an input: the Python checkers convert it (a
        list, a Python number, a safe cast) or raise their error. Re-raises the code's
        own error when every input was already fine (it came from the graph)."""
        if self._trust_input:
            raise err
        n = self._n_in
        checked = [check(v) for check, v in zip(self._checkers, values[:n], strict=True)]
        if all(a is b for a, b in zip(checked, values, strict=False)):
            raise err
        return checked + values[n:]

    def _finish(self, results: list[Any]) -> Any:
        for k in self._copy:
            results[k] = np.array(results[k], copy=True)
        for var, value in zip(self._updates, results[self._n_out :], strict=True):
            var.container = value
        outs = results[: self._n_out]
        return outs[0] if self._single else outs

    def dprint(self, **kwargs: Any) -> str | None:
        """Print the graph that runs, with each node's position in the execution order."""
        from tensorgraft.graph.dprint import dprint

        return dprint(self, **kwargs)

    def __repr__(self) -> str:
        return f"<Function {self._signature} mode={self.mode!r}>"


_MISSING = object()


def function(
    inputs: Sequence[Variable],
    outputs: Variable | Sequence[Variable] | None = None,
    mode: str | Backend | None = None,
    updates: Pairs | None = None,
    givens: Pairs | None = None,
    *,
    on_unused_input: str = "raise",
    allow_downcast: bool | None = None,
    name: str | None = None,
    rewrite: bool = True,
) -> Function:
    """Compile the graph from `inputs` to `outputs` into a callable `Function`.

    Args:
        inputs: root variables, in the order the function takes their values.
        outputs: a variable (the function returns one value) or a list (it returns a list).
        mode: a backend name ("python", "c", "numba", "jax") or None for the default:
            $TENSORGRAFT_MODE, else the first usable of c, numba, jax, python.
        updates: (shared variable, expression) pairs stored after each call.
        givens: (variable, replacement) pairs substituted in the graph before compiling.
        on_unused_input: "raise", "warn" or "ignore" for inputs the outputs do not use.
        allow_downcast: accept input values that only fit by an unsafe cast.
        name: shown in error messages and repr.
        rewrite: run the installed rewrite pipeline (the default); False compiles the
            graph as written, to see what a rewrite changed or to debug one.
    """
    if isinstance(inputs, Variable):
        raise TypeError("function(inputs, outputs): inputs must be a list of variables")
    if on_unused_input not in ("raise", "warn", "ignore"):
        raise ValueError(
            f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused_input!r}"
        )
    inputs = list(inputs)
    single = isinstance(outputs, Variable)
    outs: list[Variable] = [outputs] if isinstance(outputs, Variable) else list(outputs or [])
    _check_inputs(inputs)
    for out in outs:
        if not isinstance(out, Variable):
            raise TypeError(f"function outputs must be variables, got {out!r}")

    update_pairs = _check_updates(_pairs(updates))
    update_exprs = [expr for _, expr in update_pairs]
    given = _pairs(givens)
    if given:
        replaced = list(clone_replace(outs + update_exprs, given, strict=True))
        outs, update_exprs = replaced[: len(outs)], replaced[len(outs) :]

    shared: list[Variable] = [
        v
        for v in graph_inputs(outs + update_exprs)
        if isinstance(v, SharedVariable) and v not in inputs
    ]
    # A missing input is the more useful error, so build the graph (which checks) first.
    fgraph = FunctionGraph(inputs + shared, outs + update_exprs, clone=True)
    needed = set(ancestors(outs + update_exprs))
    unused = [v for v in inputs if v not in needed]
    if unused and on_unused_input != "ignore":
        msg = (
            f"the outputs do not depend on input {', '.join(describe(v) for v in unused)}; "
            "pass on_unused_input='ignore' to allow it"
        )
        if on_unused_input == "raise":
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=2)

    backend = resolve_backend(mode)
    pipeline = rewriter() if rewrite else None
    if pipeline is not None:
        pipeline(fgraph, include=backend.rewrite_include, exclude=backend.rewrite_exclude)
    return Function(
        inputs,
        outs,
        single,
        fgraph,
        backend,
        shared,
        [var for var, _ in update_pairs],
        allow_downcast,
        name,
    )


def _check_inputs(inputs: list[Variable]) -> None:
    seen: set[Variable] = set()
    for k, var in enumerate(inputs):
        if not isinstance(var, Variable):
            raise TypeError(f"function input {k} must be a variable, got {var!r}")
        if isinstance(var, Constant):
            raise TypeError(f"function input {k} is a constant ({var}); inputs are placeholders")
        if var.owner is not None:
            raise TypeError(
                f"function input {k}, {describe(var)}, is computed by {var.owner.op}; "
                "inputs must be placeholders (use givens= or graph_replace to cut a graph)"
            )
        if isinstance(var, SharedVariable):
            raise TypeError(f"function input {k}, {describe(var)}, is shared; it is implicit")
        if var in seen:
            raise ValueError(f"function input {describe(var)} is given twice")
        seen.add(var)


def _check_updates(pairs: list[tuple[Variable, Any]]) -> list[tuple[SharedVariable, Variable]]:
    from tensorgraft.tensor.basic import as_tensor

    checked: list[tuple[SharedVariable, Variable]] = []
    for var, expr in pairs:
        if not isinstance(var, SharedVariable):
            raise TypeError(f"updates: {describe(var)} is not a shared variable")
        if any(var is done for done, _ in checked):
            raise ValueError(f"updates: {describe(var)} is updated twice")
        expr = as_tensor(expr)
        if var.type.convert_variable(expr) is None:
            raise TypeError(
                f"updates: the update of {describe(var)} ({var.type}) has type {expr.type}"
            )
        checked.append((var, expr))
    return checked


def eval_variable(var: Variable, inputs_to_values: Mapping[Any, Any], **kwargs: Any) -> Any:
    """Compute `var` for the given root values (used by `Variable.eval`), caching the function."""
    by_name: dict[str, list[Variable]] = {}
    roots = [v for v in graph_inputs([var]) if not isinstance(v, Constant | SharedVariable)]
    for v in roots:
        if v.name is not None:
            by_name.setdefault(v.name, []).append(v)
    pairs: list[tuple[Variable, Any]] = []
    for key, value in inputs_to_values.items():
        if isinstance(key, str):
            if key not in by_name:
                raise ValueError(f"eval: no input named {key!r} in the graph of {var}")
            if len(by_name[key]) > 1:
                raise ValueError(
                    f"eval: {len(by_name[key])} inputs of {var} are named {key!r}; "
                    "pass the variables instead"
                )
            key = by_name[key][0]
        pairs.append((key, value))
    inputs = [k for k, _ in pairs]
    cache_key: Any = (tuple(inputs), tuple(sorted(kwargs.items())))
    try:
        hash(cache_key)
    except TypeError:  # e.g. givens as a dict: compile without caching
        cache_key = None
    cache: dict[Any, Function] = var.tag.setdefault("eval_cache", {})
    fn = cache.get(cache_key) if cache_key is not None else None
    if fn is None:
        fn = function(inputs, var, on_unused_input="ignore", **kwargs)
        if cache_key is not None:
            cache[cache_key] = fn
    return fn(*[v for _, v in pairs])
