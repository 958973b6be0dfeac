"""The ingest job end to end: real model, real embedded Chroma."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import StoreLockedError
from assistant.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import CORPUS, ROOT


def ingest(paths, settings, embedder, **kw):
    lines: list[str] = []
    report = run_ingest([Path(p) for p in paths], settings, lambda: embedder, warn=lines.append,
                        progress=False, **kw)
    return report, lines


def test_sample_corpus_goes_in_with_manifest_metadata(settings_for, embedder):
    settings = settings_for()
    report, lines = ingest([CORPUS], settings, embedder)
    assert report.summary() == "papers: 5 added, 0 updated, 0 unchanged, 0 removed, 0 failed; " \
                               "paragraphs: 161"
    assert lines == []
    records = Store(settings).paper_records()
    report_rec = records["surrey-cfllc-2020-07-28-childrens-improvement-update"]
    assert report_rec["council"] == "Surrey County Council"
    assert report_rec["meeting_date"] == "2020-07-28"
    assert "meeting_date" not in records["west-sussex-2020-children-first-improvement-minutes"]
    chunk = next(c for c in Store(settings).paper_chunks(report_rec["doc_id"])
                 if c.meta["paragraph"] == "19")
    assert chunk.meta["doc_type"] == "report" and chunk.meta["committee"].startswith("Children,")
    assert "1088 audits completed" in chunk.text and "**" not in chunk.text


def test_reingest_of_unchanged_papers_writes_nothing(settings_for, embedder):
    settings = settings_for()
    ingest([CORPUS], settings, embedder)
    before = Store(settings).paper_records()

    class NoEmbedder:
        def embed(self, texts):
            raise AssertionError("an unchanged paper must not be embedded again")

    report, _ = ingest([CORPUS], settings, NoEmbedder())
    assert report.summary().startswith("papers: 0 added, 0 updated, 5 unchanged")
    assert report.paragraphs == 0
    assert Store(settings).paper_records() == before  # ingested_at untouched: nothing written


def test_changed_paper_is_replaced_with_no_stale_paragraph(settings_for, embedder, corpus_copy):
    settings = settings_for()
    ingest([corpus_copy], settings, embedder)
    paper = corpus_copy / "west-sussex-2020-children-first-improvement-minutes.txt"
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.split("12.4")[0].replace("between 13 and 16 cases",
                                                  "between 12 and 15 cases"), encoding="utf-8")
    report, _ = ingest([corpus_copy], settings, embedder)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 4)
    chunks = Store(settings).paper_chunks("west-sussex-2020-children-first-improvement-minutes")
    assert list(dict.fromkeys(c.meta["paragraph"] for c in chunks)) == ["12.1", "12.2", "12.3"]
    assert any("between 12 and 15 cases" in c.text for c in chunks)
    assert not any("13 and 16" in c.text for c in Store(settings).all_chunks())


def test_prune_removes_papers_gone_from_the_source(settings_for, embedder, corpus_copy):
    settings = settings_for()
    ingest([corpus_copy], settings, embedder)
    (corpus_copy / "surrey-ces-performance-reference-group-2018-02-06.md").unlink()
    report, _ = ingest([corpus_copy], settings, embedder)
    assert report.removed == 0  # without --prune nothing is removed
    report, _ = ingest([corpus_copy], settings, embedder, prune=True)
    assert report.removed == 1 and report.unchanged == 4
    store = Store(settings)
    assert "surrey-ces-performance-reference-group-2018-02-06" not in store.paper_records()
    assert not [c for c in store.all_chunks(trusted_only=False)
                if c.meta["doc_id"].startswith("surrey-ces")]


def test_every_bad_input_gets_one_line_and_the_rest_go_in(settings_for, embedder, corpus_copy):
    (corpus_copy / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%broken beyond repair")
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "blob.txt").write_bytes(os.urandom(4096) + b"\x00" * 10)
    (corpus_copy / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (corpus_copy / "latin.txt").write_bytes(b"1. Caf\x81\x8d\x8f\x90 minutes")
    (corpus_copy / "huge.txt").write_text("1. " + "word " * 2_100_000)  # a 10 MB paragraph
    manifest = corpus_copy / "manifest.yaml"
    manifest.write_text(manifest.read_text() + "  - file: missing-minutes.txt\n    council: X\n")
    settings = settings_for()
    report, lines = ingest([corpus_copy], settings, embedder)
    assert report.added == 5 and report.failed == 7
    by_file = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in lines}
    assert "corrupt PDF" in by_file["corrupt.pdf"]
    assert "empty" in by_file["empty.txt"]
    assert "binary" in by_file["blob.txt"]
    assert "unsupported file type" in by_file["sheet.xlsx"]
    assert "could not be decoded" in by_file["latin.txt"]
    assert "10,500,00" in by_file["huge.txt"] and "limit is 100,000" in by_file["huge.txt"]
    assert "missing-minutes.txt" in by_file["manifest.yaml"]
    assert all("\n" not in line for line in lines)
    assert len(Store(settings).paper_records()) == 5


def test_malformed_manifest_is_reported_and_papers_still_go_in(settings_for, embedder,
                                                               corpus_copy):
    (corpus_copy / "manifest.yaml").write_text("papers: [file: {unclosed\n")
    report, lines = ingest([corpus_copy], settings_for(), embedder)
    assert report.added == 5 and report.failed == 1
    assert "malformed YAML" in lines[0]


def test_second_writer_is_refused_with_a_clear_message(settings_for, embedder):
    from filelock import FileLock

    settings = settings_for()
    settings.data_dir.mkdir(parents=True)
    with FileLock(str(settings.data_dir / "ingest.lock")):
        with pytest.raises(StoreLockedError, match="another ingest is writing"):
            ingest([CORPUS], settings, embedder)


def test_half_written_paper_is_invisible_and_cleaned_up(settings_for, embedder):
    """What a kill between a paper's chunks and its record leaves behind."""
    settings = settings_for()
    ingest([CORPUS], settings, embedder)
    store = Store(settings)
    vec = embedder.embed(["orphan"])
    store._unpublished()  # as write_paper marks the store before a paper's chunks
    store.paragraphs.upsert(ids=["ghost::1::0"], embeddings=vec.tolist(), documents=["ghost"],
                            metadatas=[{"doc_id": "ghost", "paper_hash": "x", "paragraph": "1"}])
    assert "ghost::1::0" not in {c.id for c in store.all_chunks()}
    report, _ = ingest([CORPUS], settings, embedder)
    assert report.unchanged == 5
    assert "ghost::1::0" not in {c.id for c in store.all_chunks(trusted_only=False)}


def run_cli(args, env, **kw):
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, **kw)


def test_cli_ingest_killed_midway_then_rerun_leaves_a_consistent_store(tmp_path, corpus_copy):
    # many papers so that the kill lands while papers are being written
    for i in range(16):
        (corpus_copy / f"copy-{i:02d}.md").write_text(
            (corpus_copy / "surrey-cfllc-2020-07-28-childrens-improvement-update.md").read_text())
    env = dict(os.environ, CLERK_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(corpus_copy)],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    store_dir = tmp_path / "data" / "chroma"
    while time.time() < deadline and proc.poll() is None:
        if store_dir.exists() and any(store_dir.rglob("*.bin")):
            time.sleep(1.0)
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = run_cli(["ingest", str(corpus_copy)], env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("failed; paragraphs: " + done.stdout.split()[-1])
    from assistant.settings import Settings

    store = Store(Settings(_env_file=None, data_dir=tmp_path / "data"))
    records = store.paper_records()
    assert len(records) == 21
    chunks = store.all_chunks(trusted_only=False)
    assert len(chunks) == len({c.id for c in chunks})
    assert sum(r["chunks"] for r in records.values()) == len(chunks)  # no orphans, no half papers
    again = run_cli(["ingest", str(corpus_copy)], env, timeout=300)
    assert "0 added, 0 updated, 21 unchanged" in again.stdout


def test_cli_exit_code_and_summary_line(tmp_path, corpus_copy):
    (corpus_copy / "empty.txt").write_bytes(b"")
    env = dict(os.environ, CLERK_DATA_DIR=str(tmp_path / "data"))
    done = run_cli(["ingest", str(corpus_copy)], env, timeout=300)
    assert done.returncode == 1
    assert done.stdout.strip().splitlines()[-1] == (
        "papers: 5 added, 0 updated, 0 unchanged, 0 removed, 1 failed; paragraphs: 161")
    assert "empty.txt: the file is empty" in done.stderr
    listing = run_cli(["papers"], env, timeout=120)
    assert listing.returncode == 0
    row = next(ln for ln in listing.stdout.splitlines() if "surrey-cfllc-2020" in ln)
    assert "Surrey County Council" in row and row.startswith("2020-07-28") \
        and row.rstrip().endswith(" 101")
