"""``python -m campaign``: the command line (see ``campaign.cli``)."""

from __future__ import annotations

import sys

from campaign.cli import main

CLI_MEMORY_HEADROOM = 4 * 2**30
CLI_CPU_SECONDS = 600

if __name__ == "__main__":
    if sys.argv[1:2] == ["validate"]:  # a one-shot process reading an untrusted file
        from campaign.sheets.isolated import limit_this_process

        limit_this_process(CLI_MEMORY_HEADROOM, CLI_CPU_SECONDS)
    sys.exit(main())
