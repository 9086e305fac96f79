"""kyodaku (許諾): consent-first rights control for generative AI.

Nothing a rightsholder has registered is generated or trained on unless that
rightsholder said yes first. See README.md for the tour.
"""

import os as _os

# The text encoder is a numpy model; with BLAS threads on every core, one prompt
# took ~200 ms on a busy 2-core machine instead of ~3 ms. kyodaku scales out
# with processes (batch workers, server replicas), so each uses one BLAS thread
# unless the operator says otherwise. Must run before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
