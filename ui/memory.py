"""Process memory settings for the app server.

glibc's malloc serves large blocks (a page's DataFrames, Arrow tables, workbooks) from the heap
once its mmap threshold has grown past them, and a heap fragmented by such blocks is seldom
given back: at a city's size the server kept ~150 MiB more after every page had been visited
(``python -m campaign bench server``: 1,134 MiB against 983 MiB with the threshold fixed).
Fixing the threshold at 128 KiB makes every larger block its own mapping, returned to the
system as soon as it is freed (what ``MALLOC_MMAP_THRESHOLD_=131072`` does from the
environment)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD_BYTES = 128 * 1024


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def trim() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``; nothing elsewhere):
    called at the start of every page run, so what the previous run freed is returned."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def release_large_blocks() -> bool:
    """Set glibc's mmap threshold once per process, and have Arrow (the frames read over Arrow,
    pandas' text columns) allocate through it too, not through its own mimalloc pool, which
    kept what a page had freed; False where there is no glibc (nothing done)."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:  # no C library found, or not glibc (macOS, musl without mallopt)
        return False
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
