"""``python -m campaign``: the command line (see ``campaign.cli``)."""

from __future__ import annotations

import sys

from campaign.cli import main

if __name__ == "__main__":
    sys.exit(main())
