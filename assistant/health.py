"""Readiness: what /readyz checks (and what a server warms up at start)."""

import time

from assistant.service import ClerkService


def readiness(service: ClerkService) -> dict[str, dict]:
    """Each readiness check: ok, and what it found or why it failed (one line)."""
    checks: dict[str, dict] = {}

    def check(name, fn):
        started = time.perf_counter()
        try:
            detail = fn()
            checks[name] = {"ok": True, **(detail or {})}
        except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
            checks[name] = {"ok": False,
                            "error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)

    def model():
        vector = service.embedder.embed(["ready"])[0]
        if not len(vector):
            raise RuntimeError("the embedding model returned an empty vector")
        return {"embedding": service.embedder.space, "answer_model_threshold":
                round(service.threshold, 4)}

    def store():
        return {"papers": len(service.store.paper_records())}

    def indexes():
        service.retriever.lexical()  # rebuilt now if another process ingested since
        built, current = service.retriever.built_version, service.store.version()
        if built != current:
            raise RuntimeError("the search index is older than the store's papers")
        return {"version": current[:12]}

    def register():
        # loaded at start in the background: until it is, a question would share the CPU with it
        return {"records": len(service.register.records())}

    check("model", model)
    check("store", store)
    if checks["store"]["ok"]:
        check("indexes", indexes)
        check("register", register)
    else:
        checks["indexes"] = {"ok": False, "error": "the store is unreachable"}
        checks["register"] = {"ok": False, "error": "the store is unreachable"}
    return checks
