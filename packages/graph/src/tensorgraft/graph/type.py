"""`Type`: the set of values a variable may hold."""

from __future__ import annotations

from typing import Any, ClassVar

from tensorgraft.graph.basic import Constant, Variable


class Type:
    """Base class of types. Subclasses are immutable and hashable (frozen dataclasses).

    A type creates its variables (`type()` or `type.make_variable(name)`), validates and
    converts run-time values (`filter`), and says which other types it contains
    (`is_super`), which decides what may replace what in a graph.
    """

    variable_type: ClassVar[type[Variable]] = Variable
    constant_type: ClassVar[type[Constant]] = Constant

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """Return `data` converted to a value of this type, or raise TypeError/ValueError."""
        raise NotImplementedError

    def is_valid_value(self, data: Any) -> bool:
        """Whether `data` is already a value of this type (no conversion needed)."""
        try:
            self.filter(data, strict=True)
        except (TypeError, ValueError):
            return False
        return True

    def is_super(self, other: Type) -> bool:
        """Whether every value of `other` is a value of this type."""
        return self == other

    def convert_variable(self, var: Variable) -> Variable | None:
        """`var`, if it may stand where a variable of this type is expected, else None."""
        if self.is_super(var.type):
            return var
        return None

    def make_variable(self, name: str | None = None) -> Variable:
        """A new root variable of this type."""
        return self.variable_type(self, None, None, name)

    def make_constant(self, value: Any, name: str | None = None) -> Constant:
        """A constant of this type holding `value`."""
        return self.constant_type(self, value, name)

    def __call__(self, name: str | None = None) -> Variable:
        return self.make_variable(name)

    def values_eq(self, a: Any, b: Any) -> bool:
        """Whether two values of this type are equal."""
        return bool(a == b)
