"""Suite-wide settings.

`mode=None` picks the first usable of c, numba, jax, python. Tests that do not name a
backend (`.eval()`, `function(...)`) run on the python reference backend unless
TENSORGRAFT_MODE is set, so `TENSORGRAFT_MODE=c hatch test` runs the whole suite on C.
Backend tests name their backend explicitly.
"""

import os

os.environ.setdefault("TENSORGRAFT_MODE", "python")
