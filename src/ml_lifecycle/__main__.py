"""`python -m ml_lifecycle` runs the command line, as the `ml-lifecycle` script does."""

import sys

from ml_lifecycle.cli import main

sys.exit(main())
