"""The dashboard's pages, in one table: ``app/main.py`` builds the navigation from it, and the
tests that visit every page read it, so a new page is a file in ``app/views/`` and a row here.

Plain data (no Streamlit), so tests and benchmarks import it freely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    file: str  # relative to app/, as st.Page and AppTest.switch_page take it
    title: str  # in the navigation; the page's own title starts with it
    icon: str
    url_path: str
    section: str


PAGES = (
    Page("views/draw.py", "Draw & explain", ":material/draw:", "draw", "Explain"),
    Page("views/compare.py", "Compare pairs", ":material/compare:", "compare", "Explain"),
    Page(
        "views/global_maps.py",
        "Global maps",
        ":material/public:",
        "global-maps",
        "Understand the models",
    ),
    Page(
        "views/mistakes.py",
        "Mistakes gallery",
        ":material/error:",
        "mistakes",
        "Understand the models",
    ),
    Page("views/models.py", "Models", ":material/monitoring:", "models", "Understand the models"),
    Page("views/methods.py", "Methods", ":material/balance:", "methods", "Understand the models"),
    Page(
        "views/indirect.py",
        "Indirect explanations",
        ":material/hub:",
        "indirect",
        "Understand the models",
    ),
    Page("views/tour.py", "Guided tour", ":material/slideshow:", "tour", "Present"),
)
"""Every page, in the navigation's order; the first opens by default."""

FILES = tuple(page.file for page in PAGES)
