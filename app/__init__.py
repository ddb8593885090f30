"""The ModuleX dashboard (Streamlit). Entry point: ``streamlit run app/main.py``."""

import gc
import os
import sys

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

# TensorFlow is not imported here: the draw page predicts and explains with the numpy view of
# the checked weight export (app.cache.network); pages that need TensorFlow load it themselves
# (app.cache.model freezes the collector after loading it: its millions of objects would make
# every later collection cost ~0.4 s). Freezing what exists now (Streamlit, plotly) helps too.
gc.freeze()
