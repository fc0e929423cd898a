"""The app server fixes glibc's mmap threshold (ui.memory), so a page's large blocks go back to
the system when freed: 32 of 64 blocks of 1 MiB freed leave the process 32 MiB smaller, where
glibc's default threshold (raised by an earlier big block) would keep them in a holed heap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import ctypes, sys
from ui import memory
assert memory.release_large_blocks() is True
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
# a big block freed raises glibc's default (dynamic) threshold above 1 MiB; then many 1 MiB
# blocks, freed in an order that leaves holes in the heap without the setting
big = bytearray(16 << 20)
del big
blocks = [bytearray(1 << 20) for _ in range(64)]
before = rss()
del blocks[::2]
after_free = rss()
print(before, after_free)
sys.exit(0 if before - after_free > 24 * 1024 else 1)
"""


def test_freed_large_blocks_leave_the_process() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
