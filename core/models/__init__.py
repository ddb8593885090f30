"""The networks: their kinds and names (:mod:`.networks`), building (:mod:`.builders`) and
training them, where their files live (:mod:`.paths`), loading (:mod:`.loading`, with the
metadata schema in :mod:`.metadata`) and writing them (:mod:`.saving`), predicting
(:mod:`.prediction`), classifier scores, and the numpy view of a model that the explanation
methods walk (:mod:`.layer_stack`).

Names are re-exported lazily, so importing one light module does not load TensorFlow.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "augment": ("Augmentation", "augment", "inverse_affine"),
        "builders": (
            "THESIS_HIDDEN",
            "BUILDERS",
            "build_cnn_model",
            "build_thesis_model",
            "describe_architecture",
        ),
        "loading": ("load_model_file", "load_network", "load_pretrained", "load_weights_export"),
        "metadata": ("load_metadata", "metadata_problem"),
        "networks": (
            "KINDS",
            "KIND_NAMES",
            "SHIPPED",
            "THESIS_KIND",
            "characters_of",
            "check_kind",
            "expected_classes",
            "network_key",
            "split_network_key",
        ),
        "paths": (
            "PRETRAINED_DIR",
            "PRETRAINED_ENVIRONMENT_VARIABLE",
            "MODEL_FILE",
            "METADATA_FILE",
            "model_dir",
            "pretrained_root",
        ),
        "prediction": ("predict",),
        "saving": ("HISTORY_FILE", "export_weights", "save_trained", "write_metadata"),
        "layer_stack": (
            "Dense",
            "Conv",
            "Pool",
            "Reshape",
            "WEIGHTED",
            "LayerStack",
            "layer_stack",
            "UnsupportedModelError",
            "softmax",
            "PerModelCache",
            "dense_stack",
            "forget",
            "stack_from_export",
        ),
        "scores": (
            "cross_entropy",
            "confusion_matrix",
            "scores_from_probabilities",
            "evaluate",
            "roc_curve",
            "precision_recall_f1",
        ),
        "weights_export": (
            "WeightsExport",
            "read_export",
            "write_export",
        ),
        "training": (
            "TrainConfig",
            "TrainResult",
            "class_weights",
            "fit",
            "CNN_EPOCHS",
            "default_config",
            "train_pair",
            "test_curves",
        ),
    },
)
