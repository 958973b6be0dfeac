"""The ONNX Runtime backend: the same sentence-transformers model, exported once from its local
weights and run without torch at question time (and, quantized to int8, about twice as fast).

sentence-transformers' own ONNX backend needs `optimum-onnx`, whose only release pins
transformers<4.58 while sentence-transformers 6 needs transformers>=5; so Clerk exports with
`torch.onnx` and pools in numpy, exactly as the model's `modules.json` says. The export is
checked against the torch model before it is used and cached under the data folder by a hash
of the weights, so nothing is ever downloaded and a changed model is exported afresh.
"""

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import EmbedderError

EXPORT_VERSION = "1"  # bump when the export or its checks change: caches are rebuilt
PROBES = [
    "The committee resolved to note the report.",
    "Children's services improvement plan: progress since the Ofsted inspection in 2018.",
    "x",
    "Recommendations:",
    "The Cabinet Member for Children, Young People and Families will report back to the board "
    "by September with an update on recruitment and retention of social workers. " * 12,
]
MIN_COSINE = {False: 0.9999, True: 0.95}  # fp32 must match torch; int8 may drift a little
# Eight texts a run: with 64 texts of up to 256 tokens a run, ONNX Runtime grew to 1.9 GB for
# the attention scores; at 8 the peak was 290 MB, and 4, 8 and 16 embed equally fast here.
BATCH = 8


@dataclass(frozen=True)
class ModelSpec:
    """What the export and the pooling need to know about a sentence-transformers folder."""

    folder: Path
    pooling: str  # "mean" or "cls"
    max_seq_length: int

    @classmethod
    def read(cls, folder: Path) -> "ModelSpec":
        if not (folder / "config.json").is_file() or not (folder / "tokenizer.json").is_file():
            raise EmbedderError(f"the ONNX backend needs a local model folder with config.json "
                                f"and tokenizer.json; {folder} is not one")
        modules = _json(folder / "modules.json", [])
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next((m.get("path", "") for m in modules if m.get("type", "").endswith(
            "Pooling")), "1_Pooling")
        pool = _json(folder / pooling_dir / "config.json", {"pooling_mode_mean_tokens": True})
        modes = [k for k, v in pool.items() if k.startswith("pooling_mode_") and v]
        if modes == ["pooling_mode_mean_tokens"]:
            pooling = "mean"
        elif modes == ["pooling_mode_cls_token"]:
            pooling = "cls"
        else:
            raise EmbedderError(f"the ONNX backend pools by mean or CLS token only; {folder} asks "
                                f"for {', '.join(modes) or 'no pooling'}")
        unknown = set(kinds) - {"Transformer", "Pooling", "Normalize"}
        if unknown:
            raise EmbedderError(f"the ONNX backend cannot run the module(s) "
                                f"{', '.join(sorted(unknown))} of {folder}")
        config = _json(folder / "sentence_bert_config.json", {})
        return cls(folder, pooling, int(config.get("max_seq_length") or 256))

    def digest(self) -> str:
        """A hash of everything the exported graph depends on."""
        h = hashlib.sha256(EXPORT_VERSION.encode())
        for name in sorted(os.listdir(self.folder)):
            path = self.folder / name
            if path.is_file() and (name.endswith((".safetensors", ".bin", ".json"))):
                h.update(name.encode())
                with path.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
        return h.hexdigest()[:16]


def _json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"{path} cannot be read: {exc}") from None


def pool(hidden: np.ndarray, mask: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Token vectors to one unit vector per text, as the sentence-transformers modules do (Clerk
    always normalises, as the torch embedder does)."""
    if spec.pooling == "cls":
        vectors = hidden[:, 0]
    else:
        weights = mask[..., None].astype(np.float32)
        vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return _unit(vectors).astype(np.float32)


def export(spec: ModelSpec, target: Path, quantize: bool) -> None:
    """Export the model's encoder to ONNX (then int8 if asked), check it against torch on a few
    probe texts, and move it into place only if it agrees."""
    import torch
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(spec.folder), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    tokenizer = _tokenizer(spec)
    ids, mask = _batch(tokenizer.encode_batch(PROBES[:2]))
    example = torch.from_numpy(ids)
    inputs = (example, torch.from_numpy(mask), torch.zeros_like(example))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq")
    fp32 = target.with_name(f".{target.name}.{os.getpid()}.fp32")
    out = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with _quiet():
            torch.onnx.export(Encoder().eval(), inputs, str(fp32), input_names=names,
                              output_names=["last_hidden_state"], dynamo=True,
                              external_data=False, verbose=False,
                              dynamic_shapes={n: {0: batch, 1: seq} for n in names})
            if quantize:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8,
                                 op_types_to_quantize=["MatMul"], per_channel=True)
                fp32.unlink()
            else:
                fp32.replace(out)
        with torch.no_grad():
            ids, mask = _batch(tokenizer.encode_batch(PROBES))
            hidden = Encoder()(torch.from_numpy(ids), torch.from_numpy(mask),
                               torch.zeros_like(torch.from_numpy(ids))).numpy()
        expected = pool(hidden, mask, spec)
        got = OnnxRunner(out, spec).embed(PROBES)
        cosine = float(np.min(np.sum(expected * got, axis=1)))
        if cosine < MIN_COSINE[quantize]:
            raise EmbedderError(f"the ONNX export disagrees with the torch model (cosine "
                                f"{cosine:.4f} < {MIN_COSINE[quantize]}); use "
                                "CLERK_EMBED_BACKEND=torch")
        out.replace(target)
    finally:
        fp32.unlink(missing_ok=True)
        out.unlink(missing_ok=True)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)


@contextlib.contextmanager
def _quiet():
    """The exporter and the quantizer print progress and advice to stdout and the root
    logger; a CLI printing JSON must not carry it."""
    loggers = [logging.getLogger(), logging.getLogger("torch.onnx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _tokenizer(spec: ModelSpec):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(spec.folder / "tokenizer.json"))
    tokenizer.no_padding()  # the file may pad every text to a fixed length; batches pad here
    tokenizer.enable_truncation(spec.max_seq_length)
    return tokenizer


def _batch(encodings) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        ids[row, :len(e.ids)] = e.ids
        mask[row, :len(e.ids)] = 1
    return ids, mask


class OnnxRunner:
    """An exported encoder in an ONNX Runtime session, with the model's tokenizer and pooling."""

    def __init__(self, path: Path, spec: ModelSpec, batch_size: int = BATCH, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        # 0: ONNX Runtime's own choice (one thread per core). On cores shared with other work
        # (or with other questions), 1 was faster: the vectors are the same either way.
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        options.enable_mem_pattern = False  # shapes vary with each batch: patterns only cost memory
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.path = path
        self.spec, self.batch_size = spec, batch_size
        self.tokenizer = _tokenizer(spec)

    def embed(self, texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # less padding per batch
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            chosen = order[start:start + self.batch_size]
            ids, mask = _batch(self.tokenizer.encode_batch([texts[i] for i in chosen]))
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            vectors = pool(hidden, mask, self.spec)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chosen] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def _cached(target: Path, spec: ModelSpec, batch_size: int,
            threads: int = 0) -> OnnxRunner | None:
    """The cached export, or None when it is missing or cut short (disk full, killed copy)."""
    if not target.exists():
        return None
    try:
        return OnnxRunner(target, spec, batch_size, threads)
    except Exception:
        return None


def load(folder: Path, name: str, cache_dir: Path, quantize: bool,
         batch_size: int = BATCH, threads: int = 0) -> OnnxRunner:
    """The cached export for this model, made (under a lock) if missing or unreadable."""
    from filelock import FileLock

    spec = ModelSpec.read(folder)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")[-60:] or "model"
    target = cache_dir / f"{slug}-{spec.digest()}{'-int8' if quantize else ''}.onnx"
    # The usual case needs no lock: the folder may be read-only (baked into an image).
    runner = _cached(target, spec, batch_size, threads)
    if runner is not None:
        return runner
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_dir / ".export.lock")):
        runner = _cached(target, spec, batch_size, threads)  # exported by another process?
        if runner is not None:
            return runner
        target.unlink(missing_ok=True)
        try:
            export(spec, target, quantize)
        except EmbedderError:
            raise
        except Exception as exc:
            raise EmbedderError(f"could not export {name} to ONNX: "
                                f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:200]}"
                                ) from None
    return OnnxRunner(target, spec, batch_size, threads)
