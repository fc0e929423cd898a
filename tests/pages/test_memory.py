"""The app server's memory settings (ui.memory), each shown in a child process that measures its
own resident memory (``rss()``, KiB) around what a page run does:

- the mmap threshold is fixed, so a page's large blocks go back to the system when freed: 32 of
  64 blocks of 1 MiB freed leave the process 32 MiB smaller, where glibc's default threshold
  (raised by an earlier big block) would keep them in a holed heap;
- ``trim`` (called at every page run) gives the heap's free pages back: 60 MiB of freed small
  blocks under a live one stay resident until it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import sys
from ui import memory
assert memory.release_large_blocks() is True
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
"""

LARGE_BLOCKS = """
big = bytearray(16 << 20)  # freed, it raises glibc's default (dynamic) threshold above 1 MiB
del big
blocks = [bytearray(1 << 20) for _ in range(64)]
before = rss()
del blocks[::2]
after = rss()
"""

TRIM = """
blocks = [bytearray(100 * 1024) for _ in range(600)]  # 60 MiB in blocks under the threshold: the heap
pin = bytearray(100 * 1024)  # above them, so free() alone cannot shrink the heap from its top
del blocks
before = rss()
memory.trim()
after = rss()
"""


def freed_kib(body: str) -> int:
    """Run ``body`` after the prelude in a fresh interpreter; how many KiB ``after`` is below ``before``."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + body + "print(before - after)"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_freed_large_blocks_leave_the_process() -> None:
    assert freed_kib(LARGE_BLOCKS) > 24 * 1024


def test_trim_gives_the_heaps_free_pages_back() -> None:
    assert freed_kib(TRIM) > 30 * 1024
