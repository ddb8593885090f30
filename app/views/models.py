"""Models: how well every shipped network does (the pair networks beside the thesis, Dense
beside CNN, the 8-character networks), and how the chosen one trained."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, plots, state
from core.data.pairs import ALL_EIGHT, PAIRS, THESIS_RESULTS, display_name, pair_title
from core.errors import ProjectFileError
from core.models.networks import KIND_NAMES, KINDS

NETWORKS = (*PAIRS, ALL_EIGHT)
EIGHT_TITLE = "all 8 characters"


def network_title(name: str) -> str:
    return EIGHT_TITLE if name == ALL_EIGHT else pair_title(name)


def number_columns(rows: list[dict], text_column: str, signed: tuple[str, ...] = ()) -> dict | None:
    """Three decimals for every column but the one of names (a sign where it is a difference)."""
    return (
        {
            key: st.column_config.NumberColumn(format="%+.3f" if key in signed else "%.3f")
            for key in rows[0]
            if key != text_column
        }
        if rows
        else None
    )


st.title("Models")
st.caption(
    "Per pair, the thesis network (28x28 → Flatten 784 → Dense 128, 64, 32, 16 (ReLU) → Dense 2, "
    "softmax) and a small CNN; and one network of each kind for all eight characters. Our "
    "figures come from each model's metadata file (no dataset needed)."
)

shipped = {}  # (name, kind) -> metadata
for name in NETWORKS:
    for kind in KINDS:
        try:
            shipped[name, kind] = cache.metadata(name, kind)
        except ProjectFileError as error:
            st.error(str(error))

thesis_rows = []
for pair in PAIRS:
    if (pair, "dense") not in shipped:
        continue
    evaluation = shipped[pair, "dense"]["evaluation"]
    row = {"pair": pair_title(pair)}
    for split in ("train", "validation", "test"):
        row[f"{split} accuracy"] = evaluation[split]["accuracy"]
        row[f"{split} loss"] = evaluation[split]["loss"]
    row["thesis test accuracy"] = THESIS_RESULTS[pair]["test_accuracy"]
    row["thesis test loss"] = THESIS_RESULTS[pair]["test_loss"]
    thesis_rows.append(row)
st.subheader("The thesis network, beside the thesis")
st.dataframe(
    thesis_rows, hide_index=True, width="stretch", column_config=number_columns(thesis_rows, "pair")
)
st.caption(
    "The thesis trained on its own EMNIST subset (2,400 train and 200 test images per label); "
    "ours is the 8-character set described in the README, whose test sets hold more digits than "
    "letters."
)

GAIN = "CNN − Dense (test accuracy)"
kind_rows = []
for name in NETWORKS:
    tests = {
        kind: shipped[name, kind]["evaluation"]["test"] for kind in KINDS if (name, kind) in shipped
    }
    row = {"network": network_title(name)}
    for measure, key in (
        ("test accuracy", "accuracy"),
        ("balanced accuracy", "balanced_accuracy"),
        ("test loss", "loss"),
    ):
        row.update(
            {
                f"{measure}, {KIND_NAMES[kind]}": tests[kind].get(key) if kind in tests else None
                for kind in KINDS
            }
        )
    row[GAIN] = (
        tests["cnn"]["accuracy"] - tests["dense"]["accuracy"] if len(tests) == len(KINDS) else None
    )
    kind_rows.append(row)
st.subheader("Dense beside CNN, and the 8-character networks")
st.dataframe(
    kind_rows,
    hide_index=True,
    width="stretch",
    column_config=number_columns(kind_rows, "network", signed=(GAIN,)),
)
st.caption(
    "Test set of each network: the pair's test images, or all eight characters' for the "
    "8-character networks (which the thesis did not train, so it has no figure for them). "
    "Balanced accuracy is the mean of the per-label recalls, fairer where a test set holds more "
    "of one label."
)

pair, kind = state.pair(), state.kind()
scopes = {"pair": f"the {pair_title(pair)} network", ALL_EIGHT: "the 8-character network"}
scope = (
    st.segmented_control(
        "Show in detail",
        list(scopes),
        format_func=scopes.get,
        default="pair",
        key="models_scope",
        required=True,
    )
    or "pair"
)
name = pair if scope == "pair" else ALL_EIGHT
st.subheader(f"{network_title(name)} in detail: {KIND_NAMES[kind]}")
if (name, kind) not in shipped:
    st.warning("Nothing to show: this network's metadata file cannot be read (see above).")
    st.stop()
metadata = shipped[name, kind]
names = [display_name(c) for c in metadata["classes"]]
st.caption(
    f"{metadata.get('architecture', '')}. The pair and the network (Dense or CNN) are chosen in "
    "the sidebar."
)

test = metadata["evaluation"]["test"]
st.plotly_chart(
    plots.history_figure(metadata["history"]), key="history", config={"displayModeBar": False}
)
st.caption(
    "Loss and accuracy of every training batch (light), per epoch (dark) and on the validation "
    "set (orange); the dotted line marks the epoch whose weights were kept. "
    f"{metadata['epochs']} epochs, seed {metadata['seed']}, "
    f"trained in {metadata.get('train_seconds', '?')} s."
)
left, right = st.columns(2)
with left:
    st.markdown("**Confusion matrix (test)**")
    st.plotly_chart(
        plots.confusion_figure(test["confusion"], names, height=320 if len(names) == 2 else 480),
        key="confusion",
        config={"displayModeBar": False},
    )
with right:
    roc = test.get("roc")
    if roc:
        st.markdown(f"**ROC curve (test, {names[roc['positive_label']]} as positive)**")
        st.plotly_chart(
            plots.roc_figure(
                np.array(roc["fpr"]), np.array(roc["tpr"]), roc["auc"], names[roc["positive_label"]]
            ),
            key="roc",
            config={"displayModeBar": False},
        )
    elif len(names) > 2:
        st.info(
            "No ROC curve: it sorts two classes by one score, and this network tells eight apart. "
            "The confusion matrix and the per-label precision and recall below say how each "
            "character fares."
        )
per_label = test.get("per_label", [])
if per_label:
    st.markdown("**Precision, recall and F1 per label (test)**")
    st.dataframe(
        [
            {
                "label": names[row["label"]],
                "precision": row["precision"],
                "recall": row["recall"],
                "F1": row["f1"],
                "images": row["support"],
            }
            for row in per_label
        ],
        hide_index=True,
        column_config={
            key: st.column_config.NumberColumn(format="%.3f")
            for key in ("precision", "recall", "F1")
        },
    )
st.caption(
    f"Dataset: {metadata['dataset']['id']} (sha256 of its files, see the metadata); "
    f"TensorFlow {metadata['versions']['tensorflow']}, Keras {metadata['versions']['keras']}."
)
