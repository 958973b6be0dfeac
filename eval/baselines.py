"""Two plain baselines, on the same questions and embedding model as Clerk: the textbook
LangChain pipeline (split, embed, Chroma, top chunk) and BM25 over Clerk's own chunks. Neither
abstains; each answers with its top chunk, which is also its one citation."""

import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.embedder import Embedder
from assistant.errors import PaperError
from assistant.store import Store
from eval.systems import Cited, Reply
from ingest.metadata import doc_id_for
from ingest.pipeline import find_papers
from ingest.read import read_paper


class EmbedderAdapter(Embeddings):
    """Clerk's embedder behind LangChain's interface, so Chroma never embeds (or downloads)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0].tolist()


def _top_reply(ranked: list[Cited]) -> Reply:
    if not ranked:
        return Reply("", abstained=True)
    return Reply(ranked[0].text, abstained=False, citations=[ranked[0]])


class LangChainBaseline:
    """RecursiveCharacterTextSplitter(1000, 200) over each paper's raw text, a Chroma
    collection in a temporary folder, similarity_search's top chunk as the answer."""

    name = "LangChain"

    def __init__(self, corpus: Path | list[Path], embedder: Embedder, workdir: Path,
                 max_file_bytes: int,
                 warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr)):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        docs = []
        for path in find_papers(corpus if isinstance(corpus, list) else [corpus], set()):
            try:
                text = read_paper(path, max_file_bytes)
            except PaperError as exc:
                warn(f"{path}: {exc} (left out of the LangChain baseline)")
                continue
            docs += splitter.create_documents([text], metadatas=[{"doc_id": doc_id_for(path)}])
        self.chunks = len(docs)
        self.db = Chroma(collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
                         embedding_function=EmbedderAdapter(embedder),
                         persist_directory=str(workdir),
                         client_settings=ChromaSettings(anonymized_telemetry=False))
        if docs:
            self.db.add_documents(docs)

    def rank(self, question: str, k: int) -> list[Cited]:
        if not self.chunks:
            return []
        hits = self.db.similarity_search(question, k=min(k, self.chunks))
        return [Cited(d.metadata.get("doc_id"), None, d.page_content) for d in hits]

    def reply(self, question: str) -> Reply:
        return _top_reply(self.rank(question, 1))


def bm25_tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


class BM25Baseline:
    """Plain bm25s (its own tokenizer, English stopwords) over the chunks Clerk stored."""

    name = "BM25"

    def __init__(self, store: Store):
        self.chunks = store.all_chunks()
        self.bm25 = bm25s.BM25()
        if self.chunks:
            self.bm25.index(bm25_tokens([c.text for c in self.chunks]), show_progress=False)
        self.vocab = set(self.bm25.vocab_dict) if self.chunks else set()

    def rank(self, question: str, k: int) -> list[Cited]:
        if not self.chunks:
            return []
        tokens = [t for t in bm25_tokens([question])[0] if t in self.vocab]
        scores = (self.bm25.get_scores(tokens) if tokens
                  else np.zeros(len(self.chunks), dtype=np.float32))
        order = np.argsort(-scores, kind="stable")[:k]
        return [Cited(self.chunks[i].meta.get("doc_id"), self.chunks[i].meta.get("paragraph"),
                      self.chunks[i].text) for i in order]

    def reply(self, question: str) -> Reply:
        return _top_reply(self.rank(question, 1))
