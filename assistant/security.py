"""Who may read the papers through the API: the API key, compared in constant time, and signed,
expiring links to the paper page, so that a browser following a citation (from the asking page
or from Slack), which cannot send a header, is let in without the key in its address bar."""

import hashlib
import hmac
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def same_secret(given: str | None, expected: str) -> bool:
    """The key compared in constant time (as bytes: compare_digest refuses non-ASCII str)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


class LinkSigner:
    """Signs the paper page's address for one paper until a time: ``exp`` and ``sig`` in the
    query. The signing key is derived from the API key, so changing the key ends every link.
    Expiry is rounded up to the hour so that links stay the same for an hour (caches, tests)."""

    def __init__(self, api_key: str, ttl_s: int):
        self.key = hashlib.sha256(b"clerk paper link\x00" + api_key.encode()).digest()
        self.ttl_s = ttl_s

    def _sig(self, doc_id: str, exp: int) -> str:
        msg = f"{doc_id}\x00{exp}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()[:32]

    def expiry(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return int((now + self.ttl_s) // 3600 + 1) * 3600

    def verify(self, doc_id: str, exp: str | None, sig: str | None,
               now: float | None = None) -> bool:
        if not exp or not sig or not exp.isdigit():
            return False
        if int(exp) < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self._sig(doc_id, int(exp)).encode(),
                                   sig.encode("utf-8", "surrogateescape"))

    def sign_view_url(self, url: str, doc_id: str, now: float | None = None) -> str:
        """``.../papers/{id}/view?paragraph=19#p-19`` with ``&exp=...&sig=...`` added."""
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in ("exp", "sig")]
        exp = self.expiry(now)
        query += [("exp", str(exp)), ("sig", self._sig(doc_id, exp))]
        return urlunsplit(parts._replace(query=urlencode(query)))


def sign_links(data, signer: LinkSigner | None):
    """Every ``view_url`` in an answer or register response as JSON data (citations,
    follow-ups), signed; the data is returned. Nothing changes without a signer (no API key)."""
    if signer is None:
        return data
    if isinstance(data, dict):
        out = {k: sign_links(v, signer) for k, v in data.items()}
        if isinstance(out.get("view_url"), str) and isinstance(out.get("doc_id"), str):
            out["view_url"] = signer.sign_view_url(out["view_url"], out["doc_id"])
        return out
    if isinstance(data, list):
        return [sign_links(item, signer) for item in data]
    return data
