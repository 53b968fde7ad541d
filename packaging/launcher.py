"""The frozen build's entry point: the same ``countersign`` command as the installed one."""

import sys

from countersign.cli import main

if __name__ == "__main__":
    sys.exit(main())
