"""``python -m countersign``: the same as the ``countersign`` command."""

from countersign.cli import main

raise SystemExit(main())
