"""Everything the pages load, loaded once: models are shared (``cache_resource``), data and
derived arrays are copied per caller (``cache_data``). Shared models are never modified."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from app import state
from core.aggregates import GlobalMaps, compute_global_maps
from core.aggregates import shipped_maps as stored_maps
from core.data import dataset as data
from core.errors import ProjectFileError
from core.insight.report import png_bytes
from core.models.loading import load_network
from core.models.metadata import load_metadata
from core.models.paths import pretrained_root
from core.models.prediction import predict

# The shipped files are cached per folder (``$MODULEX_PRETRAINED`` may point elsewhere), so a
# session never gets a model, map or metadata file from another folder than the one set.


def _per_folders(cached):
    """Key a cached function that reads the dataset on the dataset and pretrained folders too
    (its first parameter, filled in here), so a result never outlives the folder it came from."""

    @functools.wraps(cached)
    def call(*args, **kwargs):
        return cached(_folders(), *args, **kwargs)

    return call


def _folders() -> str:
    return f"{data.pairs_dir()}|{pretrained_root()}"


def network(pair: str, kind: str = "dense"):
    """A shipped network's numpy view, from its checked weights export, without TensorFlow
    (shared, read-only): it predicts and explains with the very numbers of its ``model.keras``.
    Every page uses it; only training and the offline reports load Keras."""
    return _network(pair, kind, str(pretrained_root()))


def shipped_maps(pair: str, kind: str = "dense") -> GlobalMaps:
    return _shipped_maps(pair, kind, str(pretrained_root()))


def metadata(pair: str, kind: str = "dense") -> dict:
    return _metadata(pair, kind, str(pretrained_root()))


def drawn_mistake(pair: str, kind: str = "dense"):
    """The redrawn example a network misreads most surely (core/insight/drawn_mistakes.py), or
    None; computed once per network (shared, read-only)."""
    return _drawn_mistake(pair, kind, str(pretrained_root()))


@st.cache_resource(show_spinner=False, max_entries=16)
def _drawn_mistake(pair: str, kind: str, root: str):
    from core.data.pairs import pair_characters
    from core.insight.drawn_mistakes import surest_drawn_mistake

    return surest_drawn_mistake(network(pair, kind), pair_characters(pair))


def unlikely_check(name: str, kind: str = "dense"):
    """The "not one of these" check of a network: its parameters and the 8-character CNN.
    Raises :class:`ProjectFileError` naming a missing or damaged file."""
    return _unlikely_check(name, kind, str(pretrained_root()))


@st.cache_resource(show_spinner=False)
def _unlikely_check(name: str, kind: str, root: str):
    from core.insight.unlikely import SOURCE, SOURCE_KIND, UnlikelyCheck, shipped_parameters

    parameters = shipped_parameters(name, kind, Path(root))
    return UnlikelyCheck(parameters, _network(SOURCE, SOURCE_KIND, root))


@st.cache_resource(show_spinner=False)
def _network(pair: str, kind: str, root: str):
    return load_network(pair, kind, Path(root))


@st.cache_resource(show_spinner=False)
def _shipped_maps(pair: str, kind: str, root: str) -> GlobalMaps:
    return stored_maps(pair, kind, Path(root))


@st.cache_data(show_spinner=False)
def _metadata(pair: str, kind: str, root: str) -> dict:
    return load_metadata(pair, kind, Path(root))


def dataset_available() -> bool:
    return data.dataset_available()


def dataset_id() -> str:
    """Short checksum of the dataset on this machine (cached in core after the first call)."""
    return data.dataset_fingerprint()["id"]


@_per_folders
@st.cache_data(show_spinner="Reading the test set...", max_entries=8)
def test_set(folders: str, pair: str) -> tuple[np.ndarray, np.ndarray]:
    """A network's test split: a pair's (labels 0/1) or, for ``all8``, every image (0-7)."""
    from core.data.pairs import ALL_EIGHT

    return data.load_split("test") if pair == ALL_EIGHT else data.load_pair(pair, "test")


@_per_folders
@st.cache_data(show_spinner=False, max_entries=8)
def test_probabilities(folders: str, pair: str, kind: str = "dense") -> np.ndarray:
    images, _ = test_set(pair)
    return predict(network(pair, kind), images)


@_per_folders
@st.cache_data(show_spinner="Explaining the test set...", max_entries=16)
def recomputed_maps(folders: str, pair: str, k: int, kind: str = "dense") -> GlobalMaps:
    images, labels = test_set(pair)
    return compute_global_maps(
        network(pair, kind),
        images,
        labels,
        k=k,
        info={"pair": pair, "kind": kind, "dataset": data.dataset_fingerprint()["id"]},
    )


def contrast_grid(kind: str = "dense"):
    """The 8-class network's mean "a and not b" maps, ``[8, 8, 28, 28]`` (shared, read-only)."""
    return _contrast_grid(kind, str(pretrained_root()))


@st.cache_resource(show_spinner=False)
def _contrast_grid(kind: str, root: str):
    from core.aggregates import shipped_contrast_grid

    return shipped_contrast_grid(kind, Path(root))


@_per_folders
@st.cache_data(show_spinner="Placing the images in the network's hidden space...", max_entries=8)
def hidden_space(
    folders: str, pair: str, kind: str, split: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images, labels and last-hidden-layer vectors of a pair's split."""
    from core.insight.indirect import embed

    images, labels = data.load_pair(pair, split)
    return images, labels, embed(network(pair, kind), images)


@_per_folders
@st.cache_data(show_spinner="Laying out the test set in 2-D...", max_entries=8)
def hidden_layout(
    folders: str, pair: str, kind: str, method: str
) -> tuple[np.ndarray, np.ndarray, dict]:
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


def map_limit(name: str, kind: str, mode: str, target: int | None = None) -> float | None:
    """The colour limit for this network's maps in ``mode`` (of class ``target`` explained,
    when given) when the session fixes the scale per network (the sidebar's option), else None:
    each map then sets its own."""
    if not state.fixed_scale():
        return None
    if target is not None:
        limits = map_limits(name, kind, mode)
        if limits is not None and 0 <= target < len(limits):
            return limits[target]
    return network_limit(name, kind, mode)


def map_limits(name: str, kind: str, mode: str) -> list[float] | None:
    """The fixed limits per explained class, for the live canvas (it picks the one of the
    class it explains in each frame); None when the scale is not fixed or the file is bad."""
    if not state.fixed_scale():
        return None
    from core.models.networks import characters_of

    try:
        return _target_limits(name, kind, len(characters_of(name)), str(pretrained_root()))[mode]
    except (ProjectFileError, KeyError):
        return None


@st.cache_resource(show_spinner=False)
def _target_limits(name: str, kind: str, classes: int, root: str) -> dict[str, list[float]]:
    from core.insight.map_scales import load_target_limits
    from core.models.paths import model_dir

    return load_target_limits(model_dir(name, kind, Path(root)), classes)


def network_limit(name: str, kind: str, mode: str) -> float | None:
    """One symmetric colour limit per network and mode, measured on drawings
    (core.insight.map_scales); None when the network's file is missing or damaged."""
    try:
        return _map_scales(name, kind, str(pretrained_root()))[mode]
    except (ProjectFileError, KeyError):
        return None


@st.cache_resource(show_spinner=False)
def _map_scales(name: str, kind: str, root: str) -> dict[str, float]:
    from core.insight.map_scales import load_map_scales
    from core.models.paths import model_dir

    return load_map_scales(model_dir(name, kind, Path(root)))


def confidence_bands(name: str, kind: str, mode: str) -> dict | None:
    """The typical stability and agreement of this network's maps in ``mode`` on drawings
    (core.insight.confidence_band); None when the network's file is missing or damaged."""
    try:
        return _confidence_bands(name, kind, str(pretrained_root()))[mode]
    except (ProjectFileError, KeyError):
        return None


@st.cache_resource(show_spinner=False)
def _confidence_bands(name: str, kind: str, root: str) -> dict:
    from core.insight.confidence_band import load_bands
    from core.models.paths import model_dir

    return load_bands(model_dir(name, kind, Path(root)))


@st.cache_resource(show_spinner=False)
def confidence_auroc_ranges() -> dict | None:
    """The AUROC ranges of reports/confidence.json the help texts cite; None without it."""
    from core.studies.confidence_stored import auroc_ranges, load_report

    try:
        return auroc_ranges(load_report())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def gallery_thumbnails(pair: str, kind: str, mode: str, palette: str) -> np.ndarray:
    """ModuleX thumbnails of every test image for its predicted class (shared, read-only):
    computed once per network, mode and palette, so a filter change only indexes them."""
    return _gallery_thumbnails(pair, kind, mode, palette, _folders())


@st.cache_resource(show_spinner="Explaining every test image once...", max_entries=12)
def _gallery_thumbnails(pair: str, kind: str, mode: str, palette: str, folders: str) -> np.ndarray:
    from core.insight.gallery import explain_predictions, thumbnails
    from core.insight.palette import PALETTES

    images, _ = test_set(pair)
    predicted = test_probabilities(pair, kind).argmax(axis=1)
    stops = PALETTES[palette]["stops"]
    pictures = []
    for start in range(0, len(images), 512):  # bounded memory on the CNN
        chunk = slice(start, start + 512)
        maps = explain_predictions(network(pair, kind), images[chunk], predicted[chunk], mode)
        pictures.append(thumbnails(images[chunk], maps, colours=(stops[0], stops[3])))
    result = np.concatenate(pictures)
    result.flags.writeable = False
    return result


def thumbnail_png(pair: str, kind: str, mode: str, palette: str, index: int) -> bytes:
    """One ModuleX thumbnail as PNG, encoded on first use and kept (a page of 24 fresh ones
    costs ~40 ms to encode; a filter change mostly shows thumbnails seen before)."""
    store = _png_store(pair, kind, mode, palette, _folders())
    found = store.get(index)
    if found is None:
        picture = gallery_thumbnails(pair, kind, mode, palette)[index]
        found = store[index] = png_bytes(Image.fromarray(picture))
    return found


@st.cache_resource(show_spinner=False, max_entries=12)
def _png_store(pair: str, kind: str, mode: str, palette: str, folders: str) -> dict[int, bytes]:
    return {}


@_per_folders
@st.cache_data(show_spinner="Explaining these images...", max_entries=64)
def method_thumbnails(
    folders: str,
    pair: str,
    kind: str,
    mode: str,
    method: str,
    palette: str,
    indices: tuple[int, ...],
) -> np.ndarray:
    """Thumbnails of some test images explained by another method (computed on demand)."""
    from core.insight.gallery import explain_predictions, thumbnails
    from core.insight.palette import PALETTES

    images, _ = test_set(pair)
    chosen = np.asarray(indices, int)
    predicted = test_probabilities(pair, kind).argmax(axis=1)[chosen]
    maps = explain_predictions(network(pair, kind), images[chosen], predicted, mode, method)
    stops = PALETTES[palette]["stops"]
    return thumbnails(images[chosen], maps, colours=(stops[0], stops[3]))
