"""The map's two checks as every page and export shows them: stability and agreement, each
with the band typical for the network on drawings, and what they do not say (how far to trust
the answer), with the AUROCs measured in reports/confidence.md."""

from __future__ import annotations

import math

import streamlit as st

from app import cache
from core.insight.confidence_band import MEANING, checks_line, number, placement, trust_words


def help_text() -> str:
    return MEANING + "\n\n" + trust_words(cache.confidence_auroc_ranges())


def show(found, name: str, kind: str, mode: str) -> None:
    """One line under the map: "**Map stability: 0.81** (usual for drawings on this network:
    0.75 to 0.88) · agreement with the global map 0.19 (...)", the meaning and the AUROCs in
    its help."""
    bands = cache.confidence_bands(name, kind, mode) or {}
    stability_band, agreement_band = bands.get("stability"), bands.get("agreement")
    stability = f"**Map stability: {number(found.stability)}**"
    if stability_band is not None:
        stability += (
            f" ({placement(found.stability, stability_band)}; typical for drawings on this "
            f"network: {number(stability_band[0])} to {number(stability_band[2])})"
        )
    if math.isnan(found.agreement):
        agreement = "no global map to compare with"
    else:
        agreement = f"agreement with the global map {number(found.agreement)}"
        if agreement_band is not None:
            agreement += (
                f" ({placement(found.agreement, agreement_band)}; typical: "
                f"{number(agreement_band[0])} to {number(agreement_band[2])})"
            )
    st.markdown(f"{stability} \u00b7 {agreement}", help=help_text())


def export_line(found, name: str, kind: str, mode: str) -> str:
    """The same in one plain line, for the PDF and PNG exports."""
    return checks_line(found.stability, found.agreement, cache.confidence_bands(name, kind, mode))
