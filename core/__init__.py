"""ModuleX core: EMNIST pairs, the thesis networks, and pixel importance maps.

Plain Python, numpy and TensorFlow; the dashboard in ``app/`` builds on it.
"""
