"""``python -m scoring.engine`` runs the ``qa_score`` command line."""

from __future__ import annotations

import sys

from scoring.engine.cli import main

sys.exit(main())
