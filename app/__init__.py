"""The ModuleX dashboard (Streamlit). Entry point: ``streamlit run app/main.py``."""

import gc
import os
import sys

import numpy  # noqa: F401  (loads the BLAS library that threadpool_limits below finds)
from threadpoolctl import threadpool_limits

from app import quiet

# Known harmless start-up lines, silenced before TensorFlow is imported: its INFO and WARNING
# lines (oneDNN notice, "could not find cuda drivers") and the CUDA probe of a machine without
# a GPU (the dashboard runs on the CPU). TensorFlow's errors still print. Either variable can
# be set in the environment to override this.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
# TensorFlow writes some of them before its logging starts: filter those lines out of the
# server's terminal (not under pytest, whose capture owns stderr; MODULEX_RAW_LOGS=1 keeps all).
if "pytest" not in sys.modules and os.environ.get("MODULEX_RAW_LOGS") != "1":
    quiet.install()

# TensorFlow is not imported: every page predicts and explains with the numpy view of the
# checked weight export (app.cache.network). What exists now (Streamlit, plotly) is long-lived:
# frozen, it stays out of the collector's walks.
gc.freeze()

# One BLAS thread per call. A drawing's matrix products are small, and a second OpenBLAS thread
# waits for a core that the browser or another session holds: on 2 cores a pen lift's server
# work (~4 ms) then stalled for 25-45 ms in one run of three. Sessions run side by side
# instead. MODULEX_BLAS_THREADS sets another count (bench: `python -m bench live`).
threadpool_limits(int(os.environ.get("MODULEX_BLAS_THREADS", "1")), user_api="blas")
