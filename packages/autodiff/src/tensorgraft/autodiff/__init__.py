"""Automatic differentiation of tensorgraft graphs.

This package will provide reverse mode (``grad``, pullback/VJP rules registered per op
type) and forward mode (pushforward/JVP rules), and jacobians and hessians built on
tensorgraft-vectorize. Every rule returns an ordinary graph. Not implemented yet.
"""

from tensorgraft.autodiff.__about__ import __version__

__all__ = ["__version__"]
