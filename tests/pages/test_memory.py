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


TRIM_CHILD = """
import sys
from ui import memory
memory.release_large_blocks()
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
blocks = [bytearray(100 * 1024) for _ in range(600)]  # 60 MiB in blocks under the threshold: the heap
pin = bytearray(100 * 1024)  # above them, so free() alone cannot shrink the heap from its top
del blocks
before = rss()
memory.trim()
after = rss()
print(before, after)
sys.exit(0 if before - after > 30 * 1024 else 1)
"""


def test_trim_gives_the_heaps_free_pages_back() -> None:
    """A page run's freed small blocks stay in the heap until ``trim`` (called at every page run)."""
    done = subprocess.run([sys.executable, "-c", TRIM_CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
