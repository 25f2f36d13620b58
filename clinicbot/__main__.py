"""`python -m clinicbot` is the `clinicbot` command."""

import sys

from clinicbot.cli import main

sys.exit(main())
