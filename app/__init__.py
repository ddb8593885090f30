"""The ModuleX dashboard (Streamlit). Entry point: ``streamlit run app/main.py``."""

import gc

import core.models.files  # noqa: F401  (loads TensorFlow and Keras before the freeze below)

# TensorFlow leaves millions of objects for Python's cycle collector to walk; a collection
# after a run then costs ~0.4 s, on every stroke. Freezing moves what exists now (TensorFlow,
# Keras, plotly) out of the collector's way; objects made later are still collected.
gc.freeze()
