"""Frame cache budget/LRU and the prefetch worker that decodes ahead of scrolling."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tests.unit.test_pixels import find
from workstation.imaging.frame_cache import FrameCache, Prefetcher
from workstation.imaging.pipeline import FrameSource

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def block(n: int) -> np.ndarray:
    return np.full(100, n, dtype=np.uint8)  # 100 bytes


def test_budget_drops_least_recently_used_frames() -> None:
    cache = FrameCache(budget_bytes=300)
    for n in range(3):
        cache.put(("s", n), block(n))
    assert cache.get(("s", 0)) is not None  # 0 is now the most recent
    cache.put(("s", 3), block(3))
    assert ("s", 1) not in cache and ("s", 0) in cache and ("s", 3) in cache
    assert cache.bytes_used == 300 and len(cache) == 3


def test_array_larger_than_the_budget_is_not_kept() -> None:
    cache = FrameCache(budget_bytes=50)
    assert cache.get_or_load("big", lambda: block(1)).nbytes == 100
    assert "big" not in cache and cache.bytes_used == 0


def test_cached_frames_are_read_only() -> None:
    cache = FrameCache()
    arr = cache.get_or_load("k", lambda: block(7))
    with pytest.raises(ValueError):
        arr[0] = 1


def test_prefetch_decodes_ahead_in_the_scroll_direction_off_the_calling_thread() -> None:
    cache = FrameCache()
    source = FrameSource(find("emri_small.dcm"), cache=cache, key="emri")
    threads: set[str] = set()

    def decode(key, frame):
        threads.add(threading.current_thread().name)
        return source.decode(frame)

    worker = Prefetcher(cache, decode, depth=3).start()
    try:
        assert worker.request("emri", current=5, direction=-1, total=10) == [4, 3, 2]
        assert worker.idle(timeout=30)
        assert all(("emri", f) in cache for f in (4, 3, 2)) and ("emri", 6) not in cache
        assert threads == {"frame-prefetch"}
        assert np.array_equal(source.stored(3), source.ds.pixel_array[3])
        # at the end of the series nothing beyond the last frame is asked for
        assert worker.request("emri", current=8, direction=1, total=10) == [9]
        assert worker.idle(timeout=30)
        # already cached frames are not queued again
        assert worker.request("emri", current=5, direction=-1, total=10) == []
    finally:
        worker.stop()
    assert worker.decoded == 4 and worker.errors == 0


def test_new_request_replaces_pending_work_and_stop_ends_the_thread() -> None:
    cache = FrameCache()
    release = threading.Event()
    seen: list[int] = []

    def slow(key, frame):
        release.wait(10)
        seen.append(frame)
        return block(frame)

    worker = Prefetcher(cache, slow, depth=4).start()
    worker.request("s", 0, 1, 100)  # the worker picks up frame 1 and waits
    worker.request("s", 50, 1, 100)  # 2..4 are dropped, 51..54 queued
    release.set()
    assert worker.idle(timeout=30)
    worker.stop()
    assert 2 not in seen and 3 not in seen and 51 in seen
    assert not worker._thread.is_alive()


def test_failed_decode_is_counted_not_raised() -> None:
    def broken(key, frame):
        raise RuntimeError("bad frame")

    worker = Prefetcher(FrameCache(), broken).start()
    try:
        worker.request("s", 0, 1, 3)
        assert worker.idle(timeout=30)
    finally:
        worker.stop()
    assert worker.errors == 2 and worker.decoded == 0
