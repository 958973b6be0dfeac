"""Asking a running `clerk serve` instead of loading the model in this process (clerk ask and
clerk chat with --server or CLERK_SERVER), or the service here when no server answers."""

import logging
from collections.abc import Callable

import httpx

from assistant.errors import BadQuestionError, ClerkError
from assistant.models import Answer, AskRequest
from assistant.settings import Settings

log = logging.getLogger("clerk.cli")

Asker = Callable[[AskRequest], Answer]


class ServerUnreachable(ClerkError):
    """Nothing answers at the server's address."""


class RemoteClerk:
    """POST /ask on a Clerk server, with the API key when this side has one."""

    def __init__(self, url: str, api_key: str | None = None, timeout_s: float = 120.0):
        self.url = url.rstrip("/")
        headers = {"X-API-Key": api_key} if api_key else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout_s)

    def ready(self) -> bool:
        try:
            return self.client.get("/healthz", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def ask(self, request: AskRequest) -> Answer:
        try:
            r = self.client.post("/ask", json=request.model_dump(mode="json"))
        except httpx.TransportError as exc:
            raise ServerUnreachable(f"no Clerk server answers at {self.url}: "
                                    f"{exc.__class__.__name__}") from exc
        if r.status_code == 401:
            raise ClerkError(f"the Clerk server at {self.url} needs an API key: set "
                             "CLERK_API_KEY to it")
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail")
            except ValueError:
                detail = None
            detail = detail if isinstance(detail, str) else f"{r.status_code} {r.reason_phrase}"
            raise (BadQuestionError if r.status_code in (400, 413, 422) else ClerkError)(detail)
        return Answer.model_validate(r.json())


def make_asker(settings: Settings, server: str | None, say: Callable[[str], None]) -> Asker:
    """The server's /ask when one answers at `server` (or CLERK_SERVER); else the service in
    this process (which loads the embedding model), saying so in one line."""
    url = server or settings.server
    if url:
        remote = RemoteClerk(url, settings.api_key)
        if remote.ready():
            return remote.ask
        say(f"No Clerk server answers at {url}; answering here (loading the model).")
    from assistant.progress import Loading
    from assistant.service import ClerkService

    with Loading("loading the embedding model and the papers' index"):
        service = ClerkService(settings)
        service.warm()  # what the first question would wait for, while the line says why
    return service.ask
