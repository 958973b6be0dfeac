"""Prometheus metrics for /metrics: request counts and latency by route (from
prometheus-fastapi-instrumentator), answers by reason, and, read at scrape time, what is
indexed (papers, paragraphs, the store's size on disk) and what `clerk ingest` has done."""

import json
import os
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

INGEST_STATS = "ingest_stats.json"
OUTCOMES = ("added", "updated", "unchanged", "removed", "failed")


class ClerkMetrics:
    """One app's metrics, in its own registry (tests start many apps in one process)."""

    def __init__(self, service_getter, settings):
        self.registry = CollectorRegistry(auto_describe=True)
        self.answers = Counter("clerk_answers", "Answers given, by front, reason and mode "
                               "(reason: answered, not_in_papers, no_papers_match_filters, "
                               "nothing_indexed).", ["front", "reason", "mode"],
                               registry=self.registry)
        self.answer_seconds = Histogram("clerk_answer_seconds", "Time to answer a question.",
                                        ["front"], registry=self.registry,
                                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
        self.refused = Counter("clerk_requests_refused", "Requests refused before any work, by "
                               "why (rate_limited, body_too_large, slow_client, bad_signature, "
                               "bad_request).", ["why"], registry=self.registry)
        self.slack_posts_failed = Counter("clerk_slack_posts_failed", "Slack messages that "
                                          "could not be posted and were kept for retry.",
                                          registry=self.registry)
        self.store_collector = _StoreCollector(service_getter, settings)
        self.registry.register(self.store_collector)

    def answered(self, front: str, answer, seconds: float) -> None:
        self.answers.labels(front, answer.reason, answer.mode).inc()
        self.answer_seconds.labels(front).observe(seconds)


class _StoreCollector:
    """What is indexed and what ingest did, read when Prometheus scrapes (cached 10 s)."""

    def __init__(self, service_getter, settings):
        self.service_getter = service_getter
        self.settings = settings
        self._cache: tuple[float, list] | None = None

    def describe(self):
        return []

    def collect(self):
        now = time.monotonic()
        if self._cache is None or now - self._cache[0] > 10:
            self._cache = (now, list(self._families()))
        yield from self._cache[1]

    def _families(self):
        service = self.service_getter()
        up = GaugeMetricFamily("clerk_store_up", "1 when the store answered the last scrape.")
        if service is not None:
            try:
                records = service.store.paper_records()
            except Exception:  # noqa: BLE001 - an unreachable store is a figure, not a 500
                records = None
            up.add_metric([], 0 if records is None else 1)
            if records is not None:
                yield GaugeMetricFamily("clerk_papers_indexed", "Papers in the store.",
                                        value=len(records))
                yield GaugeMetricFamily(
                    "clerk_paragraphs_indexed", "Labelled paragraphs in the store.",
                    value=sum(int(r.get("paragraphs", 0)) for r in records.values()))
            yield up
        if not self.settings.chroma_url:
            yield GaugeMetricFamily("clerk_store_bytes", "The embedded store's size on disk.",
                                    value=folder_bytes(Path(self.settings.data_dir) / "chroma"))
        stats = read_ingest_stats(Path(self.settings.data_dir))
        papers = CounterMetricFamily("clerk_ingest_papers", "Papers seen by `clerk ingest` "
                                     "runs against this data folder, by outcome.",
                                     labels=["outcome"])
        for outcome in OUTCOMES:
            papers.add_metric([outcome], stats.get(outcome, 0))
        yield papers
        yield CounterMetricFamily("clerk_ingest_runs", "`clerk ingest` runs.",
                                  value=stats.get("runs", 0))
        if stats.get("last_run"):
            yield GaugeMetricFamily("clerk_ingest_last_run_timestamp_seconds",
                                    "When the last `clerk ingest` finished (Unix time).",
                                    value=stats["last_run"])


def folder_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def read_ingest_stats(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / INGEST_STATS).read_text())
    except (OSError, ValueError):
        return {}


def record_ingest(data_dir: Path, report) -> None:
    """Add one `clerk ingest` run's counts to the data folder's running totals."""
    stats = read_ingest_stats(data_dir)
    for outcome in OUTCOMES:
        stats[outcome] = stats.get(outcome, 0) + int(getattr(report, outcome))
    stats["paragraphs"] = stats.get("paragraphs", 0) + report.paragraphs
    stats["runs"] = stats.get("runs", 0) + 1
    stats["last_run"] = time.time()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / (INGEST_STATS + ".tmp")
        tmp.write_text(json.dumps(stats, indent=2))
        tmp.replace(data_dir / INGEST_STATS)
    except OSError:
        pass  # counts are for watching, never a reason for an ingest to fail
