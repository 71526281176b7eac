"""Indexing errors: bad index dtypes, impossible static shapes, and run-time errors, each short
and naming the user's variable."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor.indexing_key import ARRAY, INT, SliceSpec
from tensorgraft.tensor.type import ALL_DTYPES

v = tt.vector("v", shape=(3,))
m = tt.matrix("m", shape=(3, 4))
u = tt.vector("u")
iv = tt.vector("iv", dtype="int64")
fv = tt.vector("fv")
i = tt.scalar("i", dtype="int64")
n8 = tt.vector("n8", dtype="int8")
FLOAT_AXIS: Any = 1.0

# (what, build, error type, regex its message must match)
BUILD_ERRORS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("array out of bounds", lambda: v[[0, 5]], IndexError, r"index 5 .*axis 0 of 'v'.*size 3"),
    ("negative out of bounds", lambda: m[:, [-5]], IndexError, r"index -5 .*axis 1 of 'm'"),
    ("int beside array", lambda: m[3, [0]], IndexError, r"index 3 .*axis 0 of 'm'"),
    ("mask too short", lambda: v[[True, False]], IndexError, r"boolean index.*\(2,\).*'v'.*\(3,\)"),
    ("mask 2d", lambda: m[np.ones((3, 3), bool)], IndexError, r"'m'.*of shape \(3, 4\) at axis 1"),
    (
        "no broadcast",
        lambda: m[[0, 1], [0, 1, 2]],
        IndexError,
        r"shape mismatch.*'m'.*\(2,\) \(3,\)",
    ),
    ("too many with mask", lambda: v[np.ones((3, 1), bool)], IndexError, r"too many indices.*'v'"),
    ("float array", lambda: v[np.array([0.5])], TypeError, r"indexing 'v'.*integers or booleans"),
    ("symbolic float array", lambda: u[fv], TypeError, r"'u'.*integers or booleans.*'fv'.*float64"),
    ("variables in a list", lambda: u[[i, i]], TypeError, r"indexing 'u'.*stack"),
    ("ragged list", lambda: u[[[0], [0, 1]]], TypeError, r"indexing 'u'"),
    ("string", lambda: u[np.array(["a"])], TypeError, r"indexing 'u'"),
    ("list of slices", lambda: u[[slice(1), 0]], TypeError, r"'u'.*integers or booleans.*object"),
    ("two ellipses with arrays", lambda: m[..., [0], ...], IndexError, r"single ellipsis"),
    ("set on a variable", lambda: tt.set_subtensor(v, 1.0), TypeError, r"'v'.*is not the result"),
    ("inc on math", lambda: (v + 1).inc(1.0), TypeError, r"inc_subtensor.*not the result"),
    ("inc float into int", lambda: n8[0].inc(1.5), TypeError, r"float.*'n8'.*int8.*same_kind"),
    ("inc floats into int", lambda: n8[iv].inc(fv), TypeError, r"'fv'.*'n8'.*same_kind"),
    ("inc complex into float", lambda: v[0].inc(1j), TypeError, r"complex.*'v'.*float64"),
    ("set overflow", lambda: n8[0].set(300), OverflowError, r"300 out of bounds for int8"),
    ("value too long", lambda: v[1:].set(np.ones(3)), ValueError, r"\(3,\).*'v'.*of shape \(2,\)"),
    ("value extra axes", lambda: v[1:].set(np.ones((2, 2))), ValueError, r"more dimensions"),
    ("new axis value", lambda: m[None, 0].set(np.ones((2, 4))), ValueError, r"\(2, 4\)"),
    (
        "advanced value",
        lambda: m[[0, 1]].inc(np.ones((3, 4))),
        ValueError,
        r"'m'.*of shape \(2, 4\)",
    ),
    ("take floats", lambda: tt.take(v, [0.5]), TypeError, r"take: indices must be integers"),
    ("take bools", lambda: tt.take(v, [True]), TypeError, r"take: indices must be integers"),
    ("take mode", lambda: tt.take(v, [0], mode="nearest"), ValueError, r"'wrap' or 'clip'"),
    ("take axis", lambda: tt.take(m, [0], axis=2), ValueError, r"axis 2 .*'m'"),
    ("take axis type", lambda: tt.take(m, [0], axis=FLOAT_AXIS), TypeError, r"axis must be an int"),
    ("along ndim", lambda: tt.take_along_axis(m, iv, 0), ValueError, r"'iv'.*as many dim.*'m'"),
    ("along floats", lambda: tt.take_along_axis(v, fv, 0), TypeError, r"integers.*'fv'"),
    ("along static", lambda: tt.take_along_axis(v, [5], 0), IndexError, r"index 5 .*'v'"),
    ("subtensor arrays", lambda: tt.Subtensor((ARRAY,))(v, iv), TypeError, r"AdvancedSubtensor"),
    ("advanced basic", lambda: tt.AdvancedSubtensor((INT,))(v, i), TypeError, r"use Subtensor"),
    ("input count", lambda: tt.AdvancedSubtensor((ARRAY, INT))(m, iv), TypeError, r"2 index inp"),
    ("input kind", lambda: tt.AdvancedSubtensor((ARRAY,))(v, i), TypeError, r"an integer array"),
    (
        "inc kind",
        lambda: tt.IncSubtensor((SliceSpec(True, False, False),), False)(v, 1, fv),
        TypeError,
        "v",
    ),
]


@pytest.mark.parametrize(
    ("what", "build", "error", "pattern"), BUILD_ERRORS, ids=[e[0] for e in BUILD_ERRORS]
)
def test_build_error(what: str, build: Callable[[], Any], error: type, pattern: str) -> None:
    with pytest.raises(error) as info:
        build()
    message = str(info.value)
    assert re.search(pattern, message), f"{what}: {message!r} does not match {pattern!r}"
    assert len(message) < 300 and "\n" not in message, f"{what}: message too long: {message!r}"


# -- index dtypes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_index_dtypes_are_numpys(dtype: str) -> None:
    """Integer arrays of every width index, bools mask, anything else is a build-time TypeError."""
    x = tt.vector("x", shape=(4,))
    k = tt.vector("k", dtype=dtype)
    value = np.arange(4.0)
    if dtype == "bool":
        mask = np.array([True, False, True, True])
        np.testing.assert_array_equal(function([x, k], x[k], mode="python")(value, mask), [0, 2, 3])
    elif np.dtype(dtype).kind in "iu":
        got = function([x, k], x[k], mode="python")(value, np.array([3, 0, 3], dtype=dtype))
        np.testing.assert_array_equal(got, value[np.array([3, 0, 3], dtype=dtype)])
    else:
        with pytest.raises(TypeError, match=rf"indexing 'x'.*'k'.*{dtype}"):
            x[k]
        with pytest.raises(TypeError, match=r"indexing 'x'"):
            x[np.zeros(1, dtype=dtype)]


# -- errors found only when values arrive ---------------------------------------------------------
def _fails(fn: Any, args: list[Any], error: type, pattern: str) -> None:
    with pytest.raises(error) as info:
        fn(*args)
    message = str(info.value)
    assert re.search(pattern, message), f"{message!r} does not match {pattern!r}"
    assert len(message) < 300 and "\n" not in message


def test_run_time_out_of_bounds_names_the_variable() -> None:
    get = function([u, iv], u[iv], mode="python")
    _fails(get, [np.ones(3), [0, 7]], IndexError, r"indexing 'u'.*index 7 is out of bounds.*3")
    basic = function([u, i], u[i], mode="python")
    _fails(basic, [np.ones(3), 5], IndexError, r"indexing 'u'.*index 5 is out of bounds")
    _fails(get, [np.ones(3), [-4]], IndexError, r"'u'.*index -4")
    inc = function([u, iv], u[iv].inc(1.0), mode="python")
    _fails(inc, [np.ones(3), [3]], IndexError, r"inc_subtensor of 'u'.*index 3")
    st = function([u, iv], tt.set_subtensor(u[iv], 0.0), mode="python")
    _fails(st, [np.ones(2), [2]], IndexError, r"set_subtensor of 'u'.*index 2")


def test_run_time_shape_errors() -> None:
    mask = tt.vector("mask", dtype="bool")
    get = function([u, mask], u[mask], mode="python")
    _fails(get, [np.ones(3), [True, False]], IndexError, r"'u'.*boolean index did not match")
    j = tt.vector("j", dtype="int64")
    pair = function([m, iv, j], m[iv, j], mode="python")
    _fails(pair, [np.ones((3, 4)), [0, 1], [0, 1, 2]], IndexError, r"'m'.*shape mismatch")
    w = tt.vector("w")
    st = function([u, iv, w], u[iv].set(w), mode="python")
    _fails(st, [np.ones(3), [0, 1], np.ones(3)], ValueError, r"set_subtensor of 'u'.*\(3,\)")
    sl = function([u, w], u[1:].inc(w), mode="python")
    _fails(sl, [np.ones(3), np.ones(3)], ValueError, r"inc_subtensor of 'u'")
    along = function([u, iv], tt.take_along_axis(u, iv, 0), mode="python")
    _fails(along, [np.ones(3), [5]], IndexError, r"'u'.*index 5")
