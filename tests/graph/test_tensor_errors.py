"""Errors of the tensor layer: short, clear, of the right type, naming the user's variable."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor import scalar_ops as ts

HERE = os.path.basename(__file__)

v = tt.vector("v", shape=(3,))
u = tt.vector("u")
m = tt.matrix("m", shape=(2, 3))
s = tt.scalar("s")
i = tt.scalar("i", dtype="int64")
f = tt.scalar("f")
iv = tt.vector("iv", dtype="int64")
b = tt.vector("b", dtype="bool")
a = tt.matrix("a", shape=(2, 3))
c = tt.matrix("c", shape=(4, 5))
w = tt.vector("w", shape=(4,))

# (build the faulty expression, error type, regex its message must match)
ERRORS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("index out of bounds", lambda: v[3], IndexError, r"index 3 is out of bounds.*'v'.*size 3"),
    ("negative index", lambda: v[-4], IndexError, r"index -4 is out of bounds.*'v'"),
    ("index axis 1", lambda: m[0, 5], IndexError, r"axis 1 of 'm'"),
    ("too many indices", lambda: m[0, 0, 0], IndexError, r"too many indices for 'm'.*2 dim"),
    ("too many with slices", lambda: v[:, None, 1], IndexError, r"too many indices for 'v'"),
    ("two ellipses", lambda: m[..., 0, ...], IndexError, r"single ellipsis"),
    ("float index", lambda: v[1.5], TypeError, r"indexing 'v'.*got 1\.5"),
    ("float slice bound", lambda: v[0.5:], TypeError, r"indexing 'v'.*0\.5"),
    ("symbolic float index", lambda: v[f], TypeError, r"indexing 'v'.*'f'.*float64"),
    (
        "float array index",
        lambda: v[np.array([0.5])],
        TypeError,
        r"indexing 'v'.*integers or booleans",
    ),
    ("advanced out of bounds", lambda: v[np.array([0, 3])], IndexError, r"'v'"),
    ("string index", lambda: v["a"], TypeError, r"indexing 'v'"),
    ("zero step", lambda: v[::0], ValueError, r"step cannot be zero"),
    ("drop a non-1 axis", lambda: m.dimshuffle(1), ValueError, r"cannot drop axis 0 of 'm'"),
    ("squeeze a non-1 axis", lambda: m.squeeze(1), ValueError, r"cannot drop axis 1 of 'm'"),
    ("dimshuffle bad axis", lambda: m.dimshuffle(0, 2), ValueError, r"order"),
    ("dimshuffle repeat", lambda: m.dimshuffle(0, 0), ValueError, r"repeats"),
    ("transpose axes", lambda: m.transpose(0, 0), ValueError, r"do not permute.*'m'"),
    ("transpose axis range", lambda: m.transpose(0, 2), ValueError, r"axis 2.*'m'"),
    ("expand_dims axis", lambda: tt.expand_dims(v, 3), ValueError, r"axis 3.*'v'"),
    ("sum axis", lambda: m.sum(axis=2), ValueError, r"axis 2 is out of bounds for 'm'"),
    ("sum negative axis", lambda: m.sum(axis=-3), ValueError, r"axis -3.*'m'"),
    ("sum repeated axis", lambda: m.sum(axis=(0, -2)), ValueError, r"repeated axis.*'m'"),
    ("sum float axis", lambda: m.sum(axis=1.0), TypeError, r"axis must be an int"),
    ("matmul scalar left", lambda: s @ v, ValueError, r"operand 0, 's'.*scalar"),
    ("matmul scalar right", lambda: m @ 2, ValueError, r"operand 1.*scalar"),
    ("matmul misaligned", lambda: a @ c, ValueError, r"'a'.*\(2, 3\).*'c'.*\(4, 5\).*3 != 4"),
    ("matmul vector", lambda: a @ w, ValueError, r"'a'.*'w'.*not aligned"),
    ("matmul vector left", lambda: w @ a, ValueError, r"'w'.*'a'.*not aligned"),
    ("dot misaligned", lambda: tt.dot(a, c), ValueError, r"dot: 'a'.*'c'.*not aligned"),
    (
        "dot stacks misaligned",
        lambda: tt.dot(tt.tensor3("t", shape=(2, 3, 4)), tt.tensor3("r", shape=(5, 3, 6))),
        ValueError,
        r"dot: 't'.*'r'.*4 != 3",
    ),
    ("core op", lambda: tt.Dot()(v, m), ValueError, r"two matrices.*'v'"),
    (
        "blockwise core dims",
        lambda: tt.Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")(a, c),
        ValueError,
        r"'k' has length 3 in 'a'.* and 4 in 'c'",
    ),
    (
        "blockwise rank",
        lambda: tt.Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")(v, m),
        ValueError,
        r"input 0, 'v'.*at least 2 dimensions",
    ),
    ("broadcast", lambda: v + w, ValueError, r"'v'.*\(3,\).*'w'.*\(4,\)"),
    ("no loop", lambda: b - b, TypeError, r"sub is not defined for bool.*'b'"),
    ("no loop unary", lambda: -b, TypeError, r"neg is not defined for bool.*'b'"),
    (
        "no loop floor_div",
        lambda: tt.floor_div(tt.vector("z", dtype="complex128"), 2),
        TypeError,
        r"'z'",
    ),
    (
        "unsupported dtype",
        lambda: tt.vector("x", dtype="float128"),
        TypeError,
        r"float128 is not supported",
    ),
    (
        "not a dtype",
        lambda: tt.vector("x", dtype="nonsense"),
        TypeError,
        r"'nonsense' is not a dtype",
    ),
    ("object dtype", lambda: tt.constant(["a", "b"]), TypeError, r"cannot make a tensor constant"),
    ("string operand", lambda: v + "a", TypeError, r"cannot make a tensor constant from str"),
    ("None operand", lambda: v * None, TypeError, r"NoneType"),
    ("list of variables", lambda: tt.as_tensor([v, v]), TypeError, r"stack"),
    (
        "overflow",
        lambda: tt.vector("x", dtype="int8") + 300,
        OverflowError,
        r"300 out of bounds for int8",
    ),
    ("bool()", lambda: bool(v), TypeError, r"truth value of symbolic v"),
    ("if x", lambda: 1 if v > 0 else 0, TypeError, r"truth value"),
    ("len() unknown", lambda: len(u), TypeError, r"len\(\) of u.*not known statically"),
    ("len() scalar", lambda: len(s), TypeError, r"len\(\) of s.*scalar"),
    ("iterate unknown", lambda: list(u), TypeError, r"len\(\) of u"),
    ("tensor shape arg", lambda: tt.tensor((2, 3)), TypeError, r"shape"),
    ("vector rank", lambda: tt.vector("x", shape=(2, 3)), ValueError, r"1 dimensions"),
    ("negative shape", lambda: tt.tensor("x", shape=(-1,)), ValueError, r"ints >= 0 or None"),
    ("add one term", lambda: tt.add(v), TypeError, r"at least two"),
    ("switch arity", lambda: tt.Elemwise(ts.switch)(v, v), TypeError, r"3 inputs"),
]


@pytest.mark.parametrize(("what", "build", "error", "pattern"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error(what: str, build: Callable[[], Any], error: type[Exception], pattern: str) -> None:
    with pytest.raises(error) as info:
        build()
    message = str(info.value)
    assert re.search(pattern, message), f"{what}: {message!r} does not match {pattern!r}"
    assert len(message) < 300 and "\n" not in message, f"{what}: message too long: {message!r}"


def test_errors_say_where_the_variable_was_created() -> None:
    x = tt.vector("x", shape=(3,))
    line = x.site[1]
    with pytest.raises(IndexError, match=rf"'x' \(created at {re.escape(HERE)}:{line}\)"):
        x[5]


def test_numpy_arrays_with_symbolic_variables_do_not_make_object_arrays() -> None:
    x = tt.vector("x")
    y = np.ones(3) + x
    assert isinstance(y, tt.TensorVariable) and y.dtype == "float64"
    assert isinstance(np.float32(2) * x, tt.TensorVariable)
    with pytest.raises(TypeError):
        np.exp(x)  # NumPy functions do not take symbolic variables


# -- errors found only when values arrive --------------------------------------------------------
def test_run_time_errors_are_numpys() -> None:
    x, y = tt.matrix("x"), tt.matrix("y")
    fn = function([x, y], x + y, mode="python")
    with pytest.raises(ValueError, match="broadcast"):
        fn(np.ones((2, 3)), np.ones((3, 2)))
    g = function([x], x.squeeze(1), mode="python")
    with pytest.raises(
        ValueError, match=r"cannot drop axis 1 of 'x'.*shape \(2, 3\): its length is 3, not 1"
    ):
        g(np.ones((2, 3)))
    k = tt.scalar("k", dtype="int64")
    h = function([u, k], u[k], mode="python")
    with pytest.raises(IndexError):
        h(np.ones(3), 5)
    step = function([u, k], u[::k], mode="python")
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        step(np.ones(3), 0)
    d = function([x, y], x @ y, mode="python")
    with pytest.raises(ValueError, match="not aligned"):
        d(np.ones((2, 3)), np.ones((4, 5)))


def test_input_values_are_checked() -> None:
    fn = function([v], v * 2, mode="python")
    with pytest.raises(ValueError, match=r"'v'.*shape"):
        fn(np.ones(4))
    with pytest.raises(TypeError, match="'v'"):
        fn(np.ones(3, dtype="complex128"))
