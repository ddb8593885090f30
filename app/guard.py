"""One way for a page to meet a missing or damaged project file: show the file's message and end
this run of the page, so the rest of the app keeps working."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, ParamSpec, TypeVar

import streamlit as st

from core.errors import ProjectFileError

P = ParamSpec("P")
T = TypeVar("T")


def _stop_with(error: ProjectFileError) -> NoReturn:
    st.error(str(error))
    st.stop()


def loaded_or_stop(load: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`load(*args, **kwargs)`, or, on a ProjectFileError, its message and the end of the run."""
    try:
        return load(*args, **kwargs)
    except ProjectFileError as error:
        _stop_with(error)


@contextmanager
def stop_on_project_error() -> Iterator[None]:
    """The same for a block that loads several things (or draws while it loads)."""
    try:
        yield
    except ProjectFileError as error:
        _stop_with(error)
