"""Models: how well each pair network does, next to the thesis, and how it trained."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, plots, state
from core.errors import ProjectFileError
from core.pairs import PAIRS, THESIS_RESULTS, display_name, pair_characters, pair_title

st.title("Models")
st.caption("One thesis network per pair: 28x28 → Flatten 784 → Dense 128, 64, 32, 16 (ReLU) → Dense 2 (softmax).")

rows = []
for pair in PAIRS:
    try:
        evaluation = cache.metadata(pair)["evaluation"]
    except ProjectFileError as error:
        st.error(str(error))
        continue
    thesis = THESIS_RESULTS[pair]
    row = {"pair": pair_title(pair)}
    for split, key in (("train", "train"), ("validation", "validation"), ("test", "test")):
        row[f"{split} accuracy"] = evaluation[key]["accuracy"]
        row[f"{split} loss"] = evaluation[key]["loss"]
    row["thesis test accuracy"] = thesis["test_accuracy"]
    row["thesis test loss"] = thesis["test_loss"]
    rows.append(row)
st.subheader("Accuracy and loss, beside the thesis")
st.dataframe(rows, hide_index=True, width="stretch", column_config={key: st.column_config.NumberColumn(format="%.3f") for key in rows[0] if key != "pair"} if rows else None)
st.caption("The thesis trained on its own EMNIST subset (2,400 train and 200 test images per label); ours is the 8-character set described in the README, whose test sets hold more digits than letters.")

pair = state.pair()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
st.subheader(f"{pair_title(pair)} in detail")
try:
    metadata = cache.metadata(pair)
except ProjectFileError as error:
    st.error(str(error))
    st.stop()

test = metadata["evaluation"]["test"]
st.plotly_chart(plots.history_figure(metadata["history"]), key="history", config={"displayModeBar": False})
st.caption(f"Loss and accuracy of every training batch (light), per epoch (dark) and on the validation set (orange); the dotted line marks the epoch whose weights were kept. "
           f"{metadata['epochs']} epochs, seed {metadata['seed']}, trained in {metadata.get('train_seconds', '?')} s.")
left, right = st.columns(2)
with left:
    st.markdown("**Confusion matrix (test)**")
    st.plotly_chart(plots.confusion_figure(test["confusion"], names), key="confusion", config={"displayModeBar": False})
with right:
    roc = test.get("roc")
    if roc:
        st.markdown(f"**ROC curve (test, {names[roc['positive_label']]} as positive)**")
        st.plotly_chart(plots.roc_figure(np.array(roc["fpr"]), np.array(roc["tpr"]), roc["auc"], names[roc["positive_label"]]), key="roc", config={"displayModeBar": False})
per_label = test.get("per_label", [])
if per_label:
    st.markdown("**Precision, recall and F1 per label (test)**")
    st.dataframe([{"label": names[row["label"]], "precision": row["precision"], "recall": row["recall"], "F1": row["f1"], "images": row["support"]} for row in per_label],
                 hide_index=True, column_config={key: st.column_config.NumberColumn(format="%.3f") for key in ("precision", "recall", "F1")})
st.caption(f"Dataset: {metadata['dataset']['id']} (sha256 of its files, see the metadata); TensorFlow {metadata['versions']['tensorflow']}, Keras {metadata['versions']['keras']}.")
