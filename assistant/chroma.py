"""Chroma as Clerk opens it: an embedded store under the data folder, or a `chroma run` server
(CLERK_CHROMA_URL), with its three collections: the paragraphs (text, metadata and vector),
one record per paper, and the store's state (the change marker)."""

from dataclasses import dataclass
from urllib.parse import urlparse

from assistant.errors import StoreError
from assistant.settings import Settings

# HNSW's search breadth: wide enough that the nearest 40 paragraphs are the same whatever the
# index's state (Chroma's default, 100, let a just-written store's results drift between runs).
EF_SEARCH = 400


@dataclass(frozen=True)
class Collections:
    client: object
    paragraphs: object
    papers: object
    state: object


def open_collections(settings: Settings) -> Collections:
    """The client and its collections, made when missing; a StoreError says where it failed."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            client = chromadb.HttpClient(
                host=url.hostname or "localhost", port=url.port or 8000,
                ssl=url.scheme == "https", settings=chroma_settings)
        else:
            path = settings.data_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        name = settings.collection
        paragraphs = client.get_or_create_collection(
            f"{name}-paragraphs", embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}})
        search_wide(paragraphs)
        return Collections(
            client, paragraphs,
            client.get_or_create_collection(f"{name}-papers", embedding_function=None),
            client.get_or_create_collection(f"{name}-state", embedding_function=None))
    except StoreError:
        raise
    except Exception as exc:
        where = settings.chroma_url or settings.data_dir
        raise StoreError(f"cannot open the Chroma store at {where}: "
                         f"{' '.join(str(exc).split())[:200]}") from exc


def search_wide(paragraphs) -> None:
    """A store made with a narrower search (Chroma's default ef_search of 100) is widened:
    with it, which 40 nearest paragraphs come back drifted with the index's state, and a
    rebuilt store could answer differently."""
    hnsw = (paragraphs.configuration or {}).get("hnsw") or {}
    if hnsw.get("ef_search", EF_SEARCH) < EF_SEARCH:
        try:
            paragraphs.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        except Exception:  # noqa: BLE001, S110 - a read-only server: search as it is
            pass
