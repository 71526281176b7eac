"""The rule catalog, one module per family; importing it registers every rule."""

from tensorgraft.rewrite.rules import basic as basic
from tensorgraft.rewrite.rules import canonical as canonical
from tensorgraft.rewrite.rules import shapes as shapes
from tensorgraft.rewrite.rules import specialize as specialize
from tensorgraft.rewrite.rules import stabilize as stabilize
from tensorgraft.rewrite.rules import subtensor as subtensor
from tensorgraft.rewrite.rules import sum_to as sum_to
