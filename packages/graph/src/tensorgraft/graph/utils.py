"""Small helpers shared by the graph core: where user code created a variable, errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import tensorgraft

# Frames inside these folders (every installed tensorgraft package) are not "user code".
_INTERNAL_ROOTS: tuple[str, ...] = ()
_SYS_PATH_LEN = -1
_STDLIB_WRAPPERS = ("functools.py", "contextlib.py")

Site = tuple[str, int]

# While not empty, `user_site` answers its last entry instead of walking the stack.
_FIXED_SITES: list[Site | None] = []


def _refresh_roots() -> None:
    # The namespace's portions only change when sys.path does; reading
    # tensorgraft.__path__ recomputes them, so do it only then.
    global _INTERNAL_ROOTS, _SYS_PATH_LEN
    _INTERNAL_ROOTS = tuple(os.path.join(p, "") for p in tensorgraft.__path__)
    _SYS_PATH_LEN = len(sys.path)


def user_site() -> Site | None:
    """The (file, line) of the innermost caller outside tensorgraft, or None.

    Inside `fixed_site(...)` it is the site given there (no stack walk).
    """
    if _FIXED_SITES:
        return _FIXED_SITES[-1]
    frame: FrameType | None = sys._getframe(1)
    if len(sys.path) != _SYS_PATH_LEN:
        _refresh_roots()
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_INTERNAL_ROOTS) and not filename.endswith(_STDLIB_WRAPPERS):
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return None


@contextmanager
def fixed_site(site: Site | None = None) -> Iterator[None]:
    """Within, what is created takes `site` as its creation site instead of the caller's.

    Rewrites run under it: walking the stack for every node a rule builds costs more
    than the rule, and the caller's site would be the rewriter's call, not the user's
    line. `set_fixed_site` changes the site as each node is rewritten (the new nodes
    take the site of the node they replace).
    """
    _FIXED_SITES.append(site)
    try:
        yield
    finally:
        _FIXED_SITES.pop()


def set_fixed_site(site: Site | None) -> None:
    """Change the site of the innermost `fixed_site` (does nothing outside one)."""
    if _FIXED_SITES:
        _FIXED_SITES[-1] = site


def format_site(site: Site | None) -> str:
    """A short 'file.py:12' form of a creation site."""
    if site is None:
        return "unknown location"
    return f"{os.path.basename(site[0])}:{site[1]}"


def describe(var: Any) -> str:
    """Name a variable for an error message: its name or its type, and where it was created."""
    label = f"'{var.name}'" if getattr(var, "name", None) else str(var)
    site = getattr(var, "site", None)
    if site is None and getattr(var, "owner", None) is not None:
        site = var.owner.site
    if site is None:
        return label
    return f"{label} (created at {format_site(site)})"


class MissingInputError(ValueError):
    """A graph needs a root variable that was not given as an input."""
