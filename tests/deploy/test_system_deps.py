"""scripts/system_deps.sh on a machine that has everything: it must install nothing.

Under ``set -o pipefail`` the old ``fc-list | grep -q`` failed by SIGPIPE on about half the
runs (grep stops reading at the first match) and went on to apt-get, which needs root.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_machine_with_everything_installs_nothing(tmp_path: Path) -> None:
    called = tmp_path / "called"
    for tool in ("apt-get", "sudo"):
        fake = tmp_path / tool
        fake.write_text(f'#!/bin/sh\necho "{tool} $*" >> {called}\nexit 1\n')
        fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"}
    for _ in range(12):
        run = subprocess.run(["bash", str(ROOT / "scripts" / "system_deps.sh")], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stdout + run.stderr
    assert not called.exists(), called.read_text()
