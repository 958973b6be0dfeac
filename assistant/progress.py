"""A progress bar for what `clerk ingest` embeds, left on screen when it is done (the count
and the rate stay as a record of the run)."""

import sys
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
