"""Keep the terminal of ``streamlit run`` free of TensorFlow's known harmless start-up lines.

TensorFlow's C++ side writes them before its logging is set up, so TF_CPP_MIN_LOG_LEVEL does
not reach them (the "All log messages before absl::InitializeLog()" preamble, the oneDNN
notice, "could not find cuda drivers", "failed call to cuInit" on a machine without a GPU).
The process's stderr (file descriptor 2) is passed through a pipe; a thread drops lines that
contain one of :data:`KNOWN_HARMLESS` and writes every other line through unchanged, so real
warnings and errors stay visible.
"""

from __future__ import annotations

import atexit
import os
import threading

KNOWN_HARMLESS = (
    b"All log messages before absl::InitializeLog() is called are written to STDERR",
    b"oneDNN custom operations are on",
    b"Could not find cuda drivers on your machine",
    b"failed call to cuInit",
    b"Unable to register cuDNN factory",
    b"Unable to register cuFFT factory",
    b"Unable to register cuBLAS factory",
    b"computation placer already registered",
    b"This TensorFlow binary is optimized to use available CPU instructions",
    b"TF-TRT Warning: Could not find TensorRT",
)
_installed = False


def harmless(line: bytes) -> bool:
    return any(known in line for known in KNOWN_HARMLESS)


def _pump(source: int, target: int) -> None:
    pending = b""
    while True:
        try:
            chunk = os.read(source, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            if pending and not harmless(pending):
                os.write(target, pending)
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        kept = b"".join(line + b"\n" for line in lines if not harmless(line))
        if kept:
            os.write(target, kept)


def install() -> None:
    """Filter this process's stderr (once; a no-op where file descriptor 2 is not usable)."""
    global _installed
    if _installed:
        return
    try:
        original = os.dup(2)
        reading, writing = os.pipe()
        os.dup2(writing, 2)
        os.close(writing)
    except OSError:
        return
    pump = threading.Thread(target=_pump, args=(reading, original), daemon=True, name="quiet")
    pump.start()

    def restore() -> None:  # at exit: hand fd 2 back, let the pump write what is left
        os.dup2(original, 2)
        pump.join(timeout=2)

    atexit.register(restore)
    _installed = True
