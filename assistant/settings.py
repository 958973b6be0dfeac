"""One settings object, read from CLERK_* environment variables and a .env file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLERK_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".clerk")
    chroma_url: str | None = None
    collection: str = "clerk"
    embedding_model: str | None = None  # a path or name; default: the bundled all-MiniLM-L6-v2
    embed_backend: Literal["torch", "onnx", "onnx-int8"] = "torch"
    onnx_cache_dir: Path | None = None  # where ONNX exports are kept; default: DATA_DIR/models
    embed_batch_size: int = 16  # texts per torch call: 64 holds ~0.5 GB more, no faster
    embed_papers_batch: int = 256  # ingest embeds this many chunks (of several papers) at once

    # ingest limits
    max_file_bytes: int = 50_000_000
    max_paragraph_chars: int = 100_000
    chunk_chars: int = 1500

    # answering
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    abstain_threshold: float | None = None  # None: the fitted one in the answer model
    answer_model: Path | None = None  # None: assistant/answer_model.json (clerk eval --fit)
    max_question_chars: int = 2000
    max_body_bytes: int = 64_000
    top_k: int = 8

    # HTTP
    api_key: str | None = None
    public_url: str | None = None  # base URL used in citation links, e.g. https://clerk.council.gov.uk

    # Slack
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None  # for tests: a local fake of Slack's Web API
    slack_slash_visibility: str = "in_channel"  # or "ephemeral"


@lru_cache
def get_settings() -> Settings:
    return Settings()
