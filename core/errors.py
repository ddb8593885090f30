"""Errors that name the file at fault and the command that repairs it."""

from __future__ import annotations

from pathlib import Path

DOWNLOAD_FIX = "python -m core download (or set EMNIST_DIR to a folder holding pairs/)"
PRETRAINED_FIX = "git checkout -- pretrained/ (or retrain: python -m core train --pair all)"


class ProjectFileError(Exception):
    """A file the project needs is missing, truncated or not what it should be."""

    def __init__(self, path: str | Path, problem: str, fix: str):
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}. To fix: {fix}")


class DatasetError(ProjectFileError):
    """An EMNIST dataset file is missing or damaged."""

    def __init__(self, path: str | Path, problem: str, fix: str = DOWNLOAD_FIX):
        super().__init__(path, problem, fix)


class ModelFileError(ProjectFileError):
    """A shipped model, its metadata or its maps are missing or damaged."""

    def __init__(self, path: str | Path, problem: str, fix: str = PRETRAINED_FIX):
        super().__init__(path, problem, fix)
