"""``python -m campaign bench server``: a real server and Chromium, the pages it opened with
their times, and the server's memory, printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_server_opens_menu_pages_and_reports_memory(demo_sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "campaign", "bench", "server", "--database", demo_sqlite_url, "--passes", "1", "--limit", "3", "--timeout", "120"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    pages = re.findall(r"^cold\s+(\S+)\s+([\d.]+)\s+(\d+)\s+(\d+)$", out, flags=re.M)
    assert [name for name, *_ in pages] == ["总览", "名单校验与上传", "提交报送"]
    assert all(float(seconds) > 0 and 50 < int(rss) <= int(peak) for _, seconds, rss, peak in pages)
    assert "exception" not in out
    resident = re.search(r"server resident after every page: (\d+) MiB \(peak (\d+) MiB\)", out)
    assert resident and int(resident.group(1)) > 50
