"""The thesis' operations on image files: ``predict`` and ``explain`` (predict and explain)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.arguments import PAIRS_AND_EIGHT
from core.models.networks import KINDS, THESIS_KIND, characters_of


def _read_images(paths):
    import numpy as np

    from core.inputs.uploads import image_file_to_input

    return np.stack([image_file_to_input(Path(path).read_bytes()) for path in paths])


def cmd_predict(args) -> int:
    from core.models.loading import load_pretrained
    from core.models.prediction import predict

    model = load_pretrained(args.pair, args.kind)
    characters = characters_of(args.pair)
    for path, row in zip(args.images, predict(model, _read_images(args.images)), strict=True):
        print(
            f"{path}: {characters[int(row.argmax())]}  "
            + "  ".join(f"P({c})={p:.3f}" for c, p in zip(characters, row, strict=True))
        )
    return 0


def cmd_explain(args) -> int:
    import numpy as np

    from core.explain import predict_and_explain
    from core.models.loading import load_pretrained

    model = load_pretrained(args.pair, args.kind)
    characters = characters_of(args.pair)
    contrast = None if args.contrast is None else characters.index(args.contrast.upper())
    probabilities, maps = predict_and_explain(
        model, _read_images(args.images), mode=args.mode, contrast=contrast
    )
    for path, row, importance in zip(args.images, probabilities, maps, strict=True):
        print(
            f"{path}: {characters[int(row.argmax())]} (P={row.max():.3f}); "
            f"importance sum {importance.sum():+.4f}, "
            f"strongest pixel {np.unravel_index(np.abs(importance).argmax(), importance.shape)}"
        )
    if args.out:
        np.save(args.out, maps)
        print(f"maps saved to {args.out} (float32 [n, 28, 28])")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    from core.explain import MODES

    for name, handler, text in (
        ("predict", cmd_predict, "predict image files"),
        ("explain", cmd_explain, "predict and explain image files"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--pair",
            choices=PAIRS_AND_EIGHT,
            required=True,
            help="a pair, or all8 (the 8-character network)",
        )
        sub.add_argument(
            "--kind",
            choices=KINDS,
            default=THESIS_KIND,
            help="dense (the thesis network) or cnn",
        )
        sub.add_argument("images", nargs="+", help="PNG / JPEG files (prepared like EMNIST)")
        if name == "explain":
            sub.add_argument("--mode", choices=MODES, default="target")
            sub.add_argument(
                "--contrast",
                help="contrast mode: the character argued against (needed for all8, e.g. S)",
            )
            sub.add_argument("--out", help="save the maps as .npy")
        sub.set_defaults(run=handler)
