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
    embed_threads: int = 0  # ONNX Runtime threads per embedding call; 0: one per core
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
    max_question_words: int = 100  # the work one question may cause grows with its words
    max_concurrent_answers: int | None = None  # answered at once; None: 2 per CPU, at least 4
    max_body_bytes: int = 64_000
    top_k: int = 8

    # clerk ask and clerk chat: a running `clerk serve` to ask (its model already loaded)
    # instead of loading the model here; when it cannot be reached they answer here
    server: str | None = None

    # HTTP
    api_key: str | None = None
    public_url: str | None = None  # base URL used in citation links, e.g. https://clerk.council.gov.uk
    link_ttl_s: int = 7 * 24 * 3600  # with an API key: how long a signed paper link opens
    rate_limit_ask: str = "60/minute"  # per client address, /ask and /ask/stream; "" for none
    rate_limit: str = "600/minute"  # per client address, every other route that reads papers
    body_timeout_s: float = 10.0  # a request body must arrive within this (else 408)

    # clerk serve (its command-line options override these)
    workers: int = 1
    limit_concurrency: int | None = 200  # connections and requests at once; more get 503
    timeout_keep_alive_s: int = 5  # an idle keep-alive connection is closed after this
    header_timeout_s: float = 10.0  # a request's headers must arrive within this (else 408)
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is believed

    # logs
    log_format: Literal["json", "text"] = "json"
    log_level: str = "info"
    log_questions: bool = False  # put the question's text in the answer log line

    # Slack
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None  # for tests: a local fake of Slack's Web API
    slack_slash_visibility: str = "in_channel"  # or "ephemeral"
    slack_max_body_bytes: int = 128_000  # Slack's requests are a few KB
    slack_timeout_s: float = 5.0  # each call to Slack's Web API
    slack_retries: int = 2  # retries of a call that could not connect, was rate limited or 5xx
    slack_retry_interval_s: float = 60.0  # how often messages that failed to post are retried
    slack_retry_max_age_s: float = 6 * 3600  # after this a message that never posted is dropped


@lru_cache
def get_settings() -> Settings:
    return Settings()
