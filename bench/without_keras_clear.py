"""What-if for the load test: the dashboard without Streamlit's ``keras.backend.clear_session()``
after every script run.

Streamlit calls it (``script_runner._clean_problem_modules``) whenever ``keras`` is imported,
and it runs a full ``gc.collect()``: the profile of the load test found ~64% of the server's
GIL time there. This launcher (``streamlit run bench/without_keras_clear.py``) skips it and
runs the real app, to measure what an app-side fix would give; the app itself is unchanged.
"""

import runpy
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner

script_runner._clean_problem_modules = lambda: None
runpy.run_path(str(Path(__file__).resolve().parent.parent / "app" / "main.py"), run_name="__main__")
