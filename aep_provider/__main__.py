"""``python -m aep_provider``: the ``aep-provider`` command (``export``, see ``aep_provider/export/cli.py``)."""

import sys

from .export.cli import main

sys.exit(main())
