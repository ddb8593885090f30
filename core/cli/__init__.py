"""``python -m core``: the command line (:mod:`.main`, one module per command group) and its
progress bar. Nothing is re-exported: ``from core.cli.main import main``."""
