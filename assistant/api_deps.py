"""What the API's routes depend on: the answering service the lifespan opened, and the API
key (X-API-Key or Bearer), as `Annotated[..., Depends(...)]` aliases and route dependencies."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from assistant.guards import limited
from assistant.security import same_secret
from assistant.service import ClerkService

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="Needed when the server sets CLERK_API_KEY.")


async def get_service(request: Request) -> ClerkService:
    return request.app.state.service


async def require_key(request: Request,
                      key: Annotated[str | None, Security(api_key_header)]) -> None:
    """With CLERK_API_KEY set, a request without the key is refused (401)."""
    expected = request.app.state.settings.api_key
    if not expected or has_key(request, key, expected):
        return
    raise HTTPException(401, "missing or wrong API key: send it in the X-API-Key header",
                        headers={"WWW-Authenticate": "Bearer"})


def has_key(request: Request, key: str | None, expected: str) -> bool:
    """The key sent as X-API-Key or as a Bearer token, compared in constant time."""
    bearer = request.headers.get("authorization", "")
    return same_secret(key, expected) or (bearer[:7].lower() == "bearer "
                                          and same_secret(bearer[7:], expected))


Service = Annotated[ClerkService, Depends(get_service)]
Authorised = [limited("other"), Depends(require_key)]
AuthorisedAsk = [limited("ask"), Depends(require_key)]
