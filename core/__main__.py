"""``python -m core <command>``: see ``python -m core --help``."""

import sys

from core.cli.main import main

sys.exit(main())
