"""Progress on stderr that stays on screen when done: a bar for what `clerk ingest` embeds
(the count and the rate stay as a record of the run), and a ticking line while the embedding
model loads (`clerk ask`, `clerk chat`, `clerk eval`)."""

import sys
import threading
from typing import Self

import numpy as np
from tqdm import tqdm

from assistant.embedder import Embedder

STEP = 64  # texts per update: the model embeds 16 at a time, so this costs nothing


class EmbeddingProgress:
    """Wraps an embedder so that each text it embeds moves one bar forward. The bar starts
    with the first text embedded (not while the model loads), so its rate is the model's."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = enabled  # None: shown when stderr is a terminal (tqdm's own rule)
        self.bar: tqdm | None = None

    def wrap(self, embedder: Embedder) -> Embedder:
        return _Counted(embedder, self)

    def update(self, n: int) -> None:
        if self.bar is None:
            self.bar = tqdm(desc="embedding", unit=" chunks", file=sys.stderr, leave=True,
                            disable=None if self.enabled is None else not self.enabled,
                            dynamic_ncols=True)
        self.bar.update(n)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


class _Counted:
    def __init__(self, embedder: Embedder, progress: EmbeddingProgress):
        self.embedder, self.progress = embedder, progress
        self.space = embedder.space

    def __getattr__(self, name):  # name, path, ...: the wrapped embedder's
        return getattr(self.embedder, name)

    def embed(self, texts: list[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), STEP):
            self.progress.update(0)  # the clock starts with the first batch
            parts.append(self.embedder.embed(texts[start:start + STEP]))
            self.progress.update(len(parts[-1]))
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else self.embedder.embed(texts)


class Loading:
    """One line on stderr while something slow loads (the embedding model takes 13-30 s from a
    cold disk), its elapsed time ticking, and left on screen when done with the time it took,
    so a silent wait never looks like a hang. Shown when stderr is a terminal (tqdm's rule)
    unless `enabled` says otherwise."""

    def __init__(self, what: str, enabled: bool | None = None, file=None, tick_s: float = 0.5):
        self.what, self.enabled, self.tick_s = what, enabled, tick_s
        self.file = file or sys.stderr
        self.bar: tqdm | None = None
        self._done = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.bar = tqdm(total=None, desc=self.what, bar_format="{desc}… {elapsed}",
                        file=self.file, leave=True, dynamic_ncols=True,
                        disable=None if self.enabled is None else not self.enabled)
        if not self.bar.disable:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def _tick(self) -> None:
        while not self._done.wait(self.tick_s):
            self.bar.refresh()

    def __exit__(self, exc_type, *exc) -> None:
        self._done.set()
        if self._ticker is not None:
            self._ticker.join()
        if not self.bar.disable:
            self.bar.bar_format = "{desc} in {elapsed}" if exc_type is None else "{desc} failed"
            self.bar.refresh()
        self.bar.close()
