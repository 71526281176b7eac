"""`dprint`: print a graph as a tree, one line per node, in the format PyTensor users know.

    Log [id A]
     └─ Add [id B]
        ├─ ExpandDims{axis=0} [id C]
        │  └─ 1 [id D]
        └─ <Vector(float64, shape=(3,))> [id E]

A subtree already printed is shown again by its first line and `└─ ···`. Ops that hold
a graph (Composite, ...) have it printed under "Inner graphs:".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from tensorgraft.graph.basic import Apply, Variable

_LAST, _MID, _BAR, _GAP = "└─ ", "├─ ", "│  ", "   "


class _Labels:
    """Assigns [id A], [id B], ... in first-seen order."""

    def __init__(self) -> None:
        self.ids: dict[Any, str] = {}

    def get(self, key: Any) -> tuple[str, bool]:
        """The label of `key` and whether it was new."""
        if key in self.ids:
            return self.ids[key], False
        n = len(self.ids)
        label = ""
        while True:
            label = chr(ord("A") + n % 26) + label
            n = n // 26 - 1
            if n < 0:
                break
        self.ids[key] = label
        return label, True


class _Printer:
    def __init__(
        self,
        print_type: bool,
        print_destroy_map: bool,
        print_view_map: bool,
        depth: int,
        order: dict[Apply, int] | None,
    ) -> None:
        self.print_type = print_type
        self.print_destroy_map = print_destroy_map
        self.print_view_map = print_view_map
        self.depth = depth
        self.order = order
        self.labels = _Labels()
        self.lines: list[str] = []
        self.inner: list[Variable] = []  # outputs of ops holding an inner graph

    def describe(self, var: Variable, label: str, default_name: str | None = None) -> str:
        node = var.owner
        if node is None:
            text = f"{var} [id {label}]"
        else:
            name = str(node.op) if len(node.outputs) == 1 else f"{node.op}.{var.index}"
            text = f"{name} [id {label}]"
            if self.print_destroy_map and node.op.destroy_map:
                text += f" d={dict(node.op.destroy_map)}"
            if self.print_view_map and node.op.view_map:
                text += f" v={dict(node.op.view_map)}"
            shown = var.name if var.name is not None else default_name
            if shown is not None:
                text += f" '{shown}'"
        if self.print_type:
            text += f" <{var.type}>"
        if node is not None and self.order is not None and node in self.order:
            text += f" {self.order[node]}"
        return text

    def tree(self, root: Variable, first_prefix: str = "", root_name: str | None = None) -> None:
        """Print `root` and its inputs; `first_prefix` starts the root's own line.

        `root_name` is shown for an unnamed computed root (the `'o0'` of inner graphs).
        """
        # Each entry: (variable, prefix of its line, prefix of its children, depth).
        stack: list[tuple[Variable, str, str, int]] = [
            (root, first_prefix, " " + (" " * len(first_prefix)), 0)
        ]
        while stack:
            var, prefix, child_prefix, level = stack.pop()
            key = var.owner if var.owner is not None and len(var.owner.outputs) == 1 else var
            label, new = self.labels.get(key)
            self.lines.append(prefix + self.describe(var, label, root_name if level == 0 else None))
            node = var.owner
            if node is None:
                continue
            if node.op.inner_outputs is not None and new:
                self.inner.append(var)
            if not new or 0 <= self.depth <= level + 1:
                if node.inputs:
                    self.lines.append(child_prefix + _LAST + "···")
                continue
            children = node.inputs
            for k in range(len(children) - 1, -1, -1):
                last = k == len(children) - 1
                stack.append(
                    (
                        children[k],
                        child_prefix + (_LAST if last else _MID),
                        child_prefix + (_GAP if last else _BAR),
                        level + 1,
                    )
                )

    def inner_graphs(self) -> None:
        done: set[Any] = set()
        queue = list(self.inner)
        if not queue:
            return
        self.lines.extend(["", "Inner graphs:"])
        while queue:
            var = queue.pop(0)
            node = var.owner
            assert node is not None
            if node in done:
                continue
            done.add(node)
            self.lines.append("")
            label, _ = self.labels.get(node if len(node.outputs) == 1 else var)
            self.lines.append(f"{node.op} [id {label}]")
            start = len(self.inner)
            for k, out in enumerate(node.op.inner_outputs or []):
                self.tree(out, first_prefix=" ← ", root_name=f"o{k}")
            queue.extend(self.inner[start:])


def dprint(
    obj: Any,
    file: IO[str] | str | None = None,
    *,
    print_type: bool = False,
    print_destroy_map: bool = False,
    print_view_map: bool = False,
    depth: int = -1,
) -> str | None:
    """Print the graph of a variable, list of variables, Apply, FunctionGraph or Function.

    Args:
        obj: what to print.
        file: a stream, or "str" to return the text instead of printing it.
        print_type: append each variable's type, e.g. `<Vector(float64, shape=(3,))>`.
        print_destroy_map: show which inputs a node overwrites, e.g. `d={0: [0]}`.
        print_view_map: show which outputs are views of inputs, e.g. `v={0: [0]}`.
        depth: stop after this many levels (-1: no limit).
    """
    order: dict[Apply, int] | None = None
    outputs: Sequence[Variable]
    if isinstance(obj, Variable):
        outputs = [obj]
    elif isinstance(obj, Apply):
        outputs = obj.outputs
    elif hasattr(obj, "fgraph"):  # a compiled Function: show the graph that runs
        outputs = obj.fgraph.outputs
        order = {node: k for k, node in enumerate(obj.fgraph.toposort())}
    elif hasattr(obj, "toposort") and hasattr(obj, "outputs"):
        outputs = obj.outputs
    elif isinstance(obj, list | tuple):
        outputs = list(obj)
    else:
        raise TypeError(f"dprint cannot print {type(obj).__name__}")

    printer = _Printer(print_type, print_destroy_map, print_view_map, depth, order)
    for out in outputs:
        printer.tree(out)
    printer.inner_graphs()
    text = "\n".join(printer.lines)
    if file == "str":
        return text
    print(text, file=sys.stdout if file is None else file)  # type: ignore[arg-type]
    return None
