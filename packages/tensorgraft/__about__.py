# Version of the meta-package (read by Hatch; not shipped: this distribution has no code).
__version__ = "0.1.0"
