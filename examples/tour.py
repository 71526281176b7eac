"""The tensorgraft tour: define, inspect, manipulate and compile a computational graph.

Run it with `hatch run tour`. It follows the seed notebook's workflow; a step whose
package does not provide its feature yet says so in one line and the tour goes on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.compile import function, installed_backends, load_backend, resolve_backend
from tensorgraft.graph import graph_replace


def section(title: str) -> None:
    print(f"\n{'=' * 8} {title} {'=' * (70 - len(title))}")


def feature(module: str, name: str) -> Callable[..., Any] | None:
    """`module.name` if that package is installed and provides it, else None."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def not_yet(module: str, name: str) -> None:
    dist = "tensorgraft-" + module.split(".")[1].replace("_", "-")
    print(f"(skipped: {dist} does not provide {module}.{name} yet)")


def define() -> tuple[Any, Any]:
    section("1. Define a graph from a placeholder")
    x = tt.tensor(shape=(3,), dtype="float64")  # placeholder
    y = tt.log(1 + x)  # placeholder
    y.dprint()
    print("y            ", repr(y), type(y).__name__)
    print("y.type       ", repr(y.type))
    print("y.owner      ", y.owner)
    print("y.owner.op   ", repr(y.owner.op))
    print("y.owner.inputs ", y.owner.inputs, " y.owner.outputs == [y]:", y.owner.outputs == [y])
    print("and the story begins again:")
    y.owner.inputs[0].dprint()
    return x, y


def rewrite(y: Any) -> Any:
    section("2. Rewrite it for numerical stability")
    rewrite_graph = feature("tensorgraft.rewrite", "rewrite_graph")
    if rewrite_graph is None:
        not_yet("tensorgraft.rewrite", "rewrite_graph")
        return None
    stable_y = rewrite_graph(y, include=("stabilize",))
    stable_y.dprint()
    return stable_y


def differentiate(x: Any, y: Any, stable_y: Any) -> None:
    section("3. Differentiate it")
    grad = feature("tensorgraft.autodiff", "grad")
    if grad is None:
        not_yet("tensorgraft.autodiff", "grad")
        return
    grad_y = grad((stable_y if stable_y is not None else y).sum(), wrt=x)
    grad_y.dprint()
    rewrite_graph = feature("tensorgraft.rewrite", "rewrite_graph")
    if rewrite_graph is not None:
        print("after canonicalize + specialize:")
        rewrite_graph(grad_y, include=("canonicalize", "specialize")).dprint()


def vectorize(x: Any, y: Any) -> None:
    section("4. Vectorize it, then compute one entry only (scalarize)")
    vectorize_graph = feature("tensorgraft.vectorize", "vectorize_graph")
    if vectorize_graph is None:
        not_yet("tensorgraft.vectorize", "vectorize_graph")
        return
    y.dprint(print_type=True)
    print("vectorize: replace x, shape (3,), by a batch new_x, shape (2, 3)")
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vectorize_graph(y, replace={x: new_x})
    new_y.dprint(print_type=True)
    batch = np.array([[0.0, 1.0, np.e], [1.0, 2.0, 3.0]])
    got = function([new_x], new_y, mode="python")(batch)
    assert np.allclose(got, np.log1p(batch)), got
    print("new_y on a batch:", got.tolist())
    print("scalarize: take one entry of the batched graph")
    only_one_entry_of_y = new_y[0, 1]
    only_one_entry_of_y.dprint(print_type=True)
    rewrite_graph = feature("tensorgraft.rewrite", "rewrite_graph")
    if rewrite_graph is None:
        not_yet("tensorgraft.rewrite", "rewrite_graph")
        return
    print("after the default rewrites, only that entry is computed:")
    rewrite_graph(only_one_entry_of_y).dprint(print_type=True)
    batched_fn = feature("tensorgraft.vectorize", "vectorize")
    if batched_fn is not None:
        print("vectorize a Python function with a gufunc signature (like numpy.vectorize):")
        row_norm = batched_fn(lambda v: tt.sqrt((v * v).sum()), signature="(n)->()")
        norms = row_norm(new_x)
        norms.dprint(print_type=True)
        got = function([new_x], norms, mode="python")(batch)
        assert np.allclose(got, np.linalg.norm(batch, axis=1)), got
        print("row norms:", got.tolist())


def surgery(x: Any, y: Any) -> None:
    section("5. Graph surgery: truncate and extend")
    y.dprint()
    print("truncate: replace 1 + x by a new input")
    x_plus_1 = tt.vector("x_plus_1", shape=(3,))
    graph_replace(y, replace={y.owner.inputs[0]: x_plus_1}).dprint()
    print("extend: replace x by exp(log_x)")
    log_x = tt.vector("log_x", shape=(3,))
    extended = graph_replace(y, replace={x: tt.exp(log_x)})
    extended.dprint()
    print("the original graph is untouched:")
    y.dprint()
    rewrite_graph = feature("tensorgraft.rewrite", "rewrite_graph")
    if rewrite_graph is None:
        not_yet("tensorgraft.rewrite", "rewrite_graph")
        return
    print("manipulations compose: stabilize the extended graph")
    rewrite_graph(extended, include=("stabilize",)).dprint()


def compile_everywhere() -> None:
    section("6. Compile it, on every installed backend")
    x = tt.vector("x", shape=(None,))
    z = tt.exp(tt.sin(x))
    out = tt.cos((z[None, :] @ z[:, None]).squeeze())
    out.dprint()
    rng = np.random.default_rng(0)
    default = resolve_backend(None).name
    print(f"installed backends: {installed_backends()}; mode=None picks {default!r}")
    for name in installed_backends():
        reason = load_backend(name).unavailable_reason()
        if reason is not None:
            print(f"-- mode={name!r}: not usable here ({reason})")
            continue
        fn = function([x], out, mode=name)
        print(f"-- mode={name!r}: {fn}")
        for n in (3, 5):
            value = rng.standard_normal(n)
            zz = np.exp(np.sin(value))
            expected = np.cos(zz @ zz)
            got = fn(value)
            assert np.allclose(got, expected), (name, got, expected)
            print(f"   n={n}: {got!r}   NumPy: {expected!r}")
        fn.dprint(print_destroy_map=True)
        if fn.report is not None:  # how the backend ran each node (e.g. C or a Python callback)
            ran = sorted({how for _, how in fn.report})
            print(f"   {len(fn.report)} nodes compiled; run as: {', '.join(ran)}")


def main() -> None:
    x, y = define()
    stable_y = rewrite(y)
    differentiate(x, y, stable_y)
    vectorize(x, y)
    surgery(x, y)
    compile_everywhere()
    print("\nTour complete.")


if __name__ == "__main__":
    main()
