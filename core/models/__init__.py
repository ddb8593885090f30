"""The networks: building, training, loading the shipped files, classifier scores, and the
numpy views of a model that the explanation methods walk.

Names are re-exported lazily, so importing one light module does not load TensorFlow.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "augment": ("Augmentation", "augment", "inverse_affine"),
        "files": (
            "PRETRAINED_DIR",
            "PRETRAINED_ENVIRONMENT_VARIABLE",
            "THESIS_HIDDEN",
            "MODEL_FILE",
            "METADATA_FILE",
            "KINDS",
            "describe_architecture",
            "build_thesis_model",
            "build_cnn_model",
            "BUILDERS",
            "pretrained_root",
            "model_dir",
            "load_model_file",
            "load_pretrained",
            "load_metadata",
            "predict",
            "load_weights_export",
            "load_network",
        ),
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
            "is_dense_stack",
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
            "HISTORY_FILE",
            "TrainConfig",
            "TrainResult",
            "class_weights",
            "fit",
            "CNN_EPOCHS",
            "default_config",
            "train_pair",
            "test_curves",
            "save_trained",
        ),
    },
)
