"""Decoded frames kept under a memory budget, and a worker that decodes ahead of scrolling.

The viewer never decodes a frame twice while it fits in the budget (least recently used
frames go first), and while the user scrolls the :class:`Prefetcher` decodes the next
frames in the scroll direction on a plain thread so the GUI thread finds them ready.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_BUDGET = 512 * 1024 * 1024


class FrameCache:
    """Thread-safe LRU of numpy arrays with a byte budget. An array larger than the whole
    budget is returned but not kept."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET) -> None:
        self.budget = int(budget_bytes)
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable) -> np.ndarray | None:
        with self._lock:
            arr = self._items.get(key)
            if arr is not None:
                self._items.move_to_end(key)
            return arr

    def put(self, key: Hashable, arr: np.ndarray) -> None:
        arr.setflags(write=False)  # shared between threads: nobody edits a cached frame
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            if arr.nbytes > self.budget:
                return
            self._items[key] = arr
            self._bytes += arr.nbytes
            while self._bytes > self.budget:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.nbytes

    def get_or_load(self, key: Hashable, load: Callable[[], np.ndarray]) -> np.ndarray:
        """The cached array, else ``load()`` (outside the lock) and keep it."""
        arr = self.get(key)
        if arr is None:
            arr = load()
            self.put(key, arr)
        return arr

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class Prefetcher:
    """Decodes frames ahead of the scroll direction into a :class:`FrameCache`.

    ``decode(source, frame)`` is called on the worker thread; ``request`` replaces what is
    pending (only the newest scroll position matters). The queue is bounded; ``stop``
    ends the thread."""

    def __init__(
        self,
        cache: FrameCache,
        decode: Callable[[Hashable, int], np.ndarray],
        depth: int = 8,
        name: str = "frame-prefetch",
    ) -> None:
        self.cache = cache
        self.decode = decode
        self.depth = depth
        self._queue: queue.Queue[tuple[int, Hashable, int]] = queue.Queue(maxsize=depth)
        self._generation = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.decoded = 0  # frames this worker decoded (for tests and statistics)
        self.errors = 0

    def start(self) -> Prefetcher:
        self._thread.start()
        return self

    def request(
        self, source: Hashable, current: int, direction: int, total: int, count: int | None = None
    ) -> list[int]:
        """Queue the ``count`` frames after ``current`` in ``direction`` (+1/-1) that are
        not cached yet; older pending requests are dropped. Returns the frames queued."""
        self._generation += 1
        generation = self._generation
        self._drain()
        step = 1 if direction >= 0 else -1
        wanted = []
        for n in range(1, (count or self.depth) + 1):
            frame = current + step * n
            if not 0 <= frame < total:
                break
            if (source, frame) in self.cache:
                continue
            try:
                self._queue.put_nowait((generation, source, frame))
            except queue.Full:
                break
            wanted.append(frame)
        return wanted

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until the queue is worked off (for tests and the export); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._drain()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                generation, source, frame = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                if generation == self._generation and (source, frame) not in self.cache:
                    self.cache.put((source, frame), self.decode(source, frame))
                    self.decoded += 1
            except Exception as exc:  # a bad frame is decoded again (and reported) on demand
                self.errors += 1
                log.debug("prefetch of frame %s failed: %s", frame, exc)
            finally:
                self._queue.task_done()
