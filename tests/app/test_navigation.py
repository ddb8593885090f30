"""The page table (app/pages.py) is the navigation: every row is a page st.navigation shows,
under its section and at its URL, and a test opened at a page runs that page first."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.util import calc_hash

from app.pages import PAGES
from tests.app.conftest import run_page

APP = Path(__file__).resolve().parents[2] / "app"


def test_the_navigation_is_the_page_table(no_dataset):
    app = run_page()
    assert not app.exception, app.exception
    registered = list(app._registered_pages.values())  # what st.navigation registered
    assert [page["script_path"] for page in registered] == [str(APP / e.file) for e in PAGES]
    assert [page["page_name"] for page in registered] == [entry.title for entry in PAGES]
    assert [page["icon"] for page in registered] == [entry.icon for entry in PAGES]
    # the first page is the default (its URL is the app's own); each other opens at its path
    assert [page["url_pathname"] for page in registered] == [
        "",
        *(entry.url_path for entry in PAGES[1:]),
    ]
    assert [page["page_script_hash"] for page in registered] == [
        calc_hash(entry.url_path) for entry in PAGES
    ]


@pytest.mark.parametrize("entry", [PAGES[0], PAGES[2]], ids=lambda entry: entry.url_path)
def test_a_page_opened_by_its_url_runs_first(entry, no_dataset):
    app = run_page(entry.file)
    assert app.title[0].value.startswith(entry.title)
