"""Everything the pages load, loaded once: models are shared (``cache_resource``), data and
derived arrays are copied per caller (``cache_data``). Shared models are never modified."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import streamlit as st

from core.data import dataset as data
from core.explain import global_maps
from core.models import files as models
from core.models.scores import scores_from_probabilities


# The shipped files are cached per folder (``$MODULEX_PRETRAINED`` may point elsewhere), so a
# session never gets a model, map or metadata file from another folder than the one set.
def model(pair: str, kind: str = "dense"):
    """A shipped network (shared: never modify it)."""
    return _model(pair, kind, str(models.pretrained_root()))


def shipped_maps(pair: str, kind: str = "dense") -> global_maps.GlobalMaps:
    return _shipped_maps(pair, kind, str(models.pretrained_root()))


def metadata(pair: str, kind: str = "dense") -> dict:
    return _metadata(pair, kind, str(models.pretrained_root()))


@st.cache_resource(show_spinner="Loading the model...")
def _model(pair: str, kind: str, root: str):
    loaded = models.load_pretrained(pair, kind, Path(root))
    gc.freeze()  # a loaded Keras model is long-lived: keep it out of the collector's walks (see app/__init__.py)
    return loaded


@st.cache_resource(show_spinner=False)
def _shipped_maps(pair: str, kind: str, root: str) -> global_maps.GlobalMaps:
    return global_maps.load_global_maps(
        models.model_dir(pair, kind, Path(root)) / global_maps.GLOBAL_MAPS_FILE
    )


@st.cache_data(show_spinner=False)
def _metadata(pair: str, kind: str, root: str) -> dict:
    return models.load_metadata(pair, kind, Path(root))


def dataset_available() -> bool:
    return data.dataset_available()


def dataset_id() -> str:
    """Short checksum of the dataset on this machine (cached in core after the first call)."""
    return data.dataset_fingerprint()["id"]


@st.cache_data(show_spinner="Reading the test set...", max_entries=8)
def test_set(pair: str) -> tuple[np.ndarray, np.ndarray]:
    return data.load_pair(pair, "test")


@st.cache_data(show_spinner=False, max_entries=8)
def test_probabilities(pair: str, kind: str = "dense") -> np.ndarray:
    images, _ = test_set(pair)
    return models.predict(model(pair, kind), images)


@st.cache_data(show_spinner="Explaining the test set...", max_entries=16)
def recomputed_maps(pair: str, k: int, kind: str = "dense") -> global_maps.GlobalMaps:
    images, labels = test_set(pair)
    return global_maps.compute_global_maps(
        model(pair, kind),
        images,
        labels,
        k=k,
        info={"pair": pair, "kind": kind, "dataset": data.dataset_fingerprint()["id"]},
    )


@st.cache_data(show_spinner=False, max_entries=8)
def test_scores(pair: str, kind: str = "dense") -> dict:
    _, labels = test_set(pair)
    return scores_from_probabilities(test_probabilities(pair, kind), labels)


def contrast_grid(kind: str = "dense"):
    """The 8-class network's mean "a and not b" maps, ``[8, 8, 28, 28]`` (shared, read-only)."""
    return _contrast_grid(kind, str(models.pretrained_root()))


@st.cache_resource(show_spinner=False)
def _contrast_grid(kind: str, root: str):
    from core.explain.model_maps import shipped_contrast_grid

    return shipped_contrast_grid(kind, Path(root))


@st.cache_data(show_spinner="Placing the images in the network's hidden space...", max_entries=8)
def hidden_space(pair: str, kind: str, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images, labels and last-hidden-layer vectors of a pair's split."""
    from core.insight.indirect import embed

    images, labels = data.load_pair(pair, split)
    return images, labels, embed(model(pair, kind), images)


@st.cache_data(show_spinner="Laying out the test set in 2-D...", max_entries=8)
def hidden_layout(pair: str, kind: str, method: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Indices of the test images shown, their 2-D positions, and what placing a new point needs."""
    from core.insight.indirect import TSNE_PER_LABEL, fit_pca, subsample, tsne

    _, labels, space = hidden_space(pair, kind, "test")
    if method == "pca":
        pca = fit_pca(space)
        return (
            np.arange(len(labels)),
            pca.project(space),
            {"mean": pca.mean, "components": pca.components, "explained": pca.explained},
        )
    chosen = subsample(labels, TSNE_PER_LABEL)
    return chosen, tsne(space[chosen]), {}
