"""Small helpers shared by the graph core: where user code created a variable, errors."""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

import tensorgraft

# Frames inside these folders (every installed tensorgraft package) are not "user code".
_INTERNAL_ROOTS: tuple[str, ...] = ()
_SYS_PATH_LEN = -1
_STDLIB_WRAPPERS = ("functools.py", "contextlib.py")

Site = tuple[str, int]


def _refresh_roots() -> None:
    # The namespace's portions only change when sys.path does; reading
    # tensorgraft.__path__ recomputes them, so do it only then.
    global _INTERNAL_ROOTS, _SYS_PATH_LEN
    _INTERNAL_ROOTS = tuple(os.path.join(p, "") for p in tensorgraft.__path__)
    _SYS_PATH_LEN = len(sys.path)


def user_site() -> Site | None:
    """The (file, line) of the innermost caller outside tensorgraft, or None."""
    frame: FrameType | None = sys._getframe(1)
    if len(sys.path) != _SYS_PATH_LEN:
        _refresh_roots()
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_INTERNAL_ROOTS) and not filename.endswith(_STDLIB_WRAPPERS):
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return None


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
