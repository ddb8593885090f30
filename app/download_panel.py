"""The 'no dataset here' message with a button that downloads it, with a progress bar."""

from __future__ import annotations

import streamlit as st

from core.data.dataset import data_dir
from core.data.download import DownloadError, download


def offer_download(reason: str) -> None:
    st.warning(
        f"{reason} needs the EMNIST test images, which are not on this machine "
        f"(looked in `{data_dir() / 'pairs'}`)."
    )
    st.caption(
        "The button below fetches the official EMNIST archive from NIST (about 536 MB) and builds "
        "the 8-character set; the same as running `python -m core download`."
    )
    if st.button("Download the EMNIST data", icon=":material/download:", key="download_dataset"):
        bar = st.progress(0.0, text="Connecting...")

        def progress(done, total, stage):
            fraction = min(done / total, 1.0) if total else 0.0
            text = (
                f"{stage}: {done / 1e6:.0f} of {total / 1e6:.0f} MB"
                if stage == "downloading" and total
                else stage
            )
            bar.progress(fraction, text=text)

        try:
            result = download(progress=progress)
        except DownloadError as error:
            st.error(str(error))
            return
        st.success(f"Done: {sum(result.counts['test'])} test images in {result.folder}.")
        st.cache_data.clear()
        st.rerun()
