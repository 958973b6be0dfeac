"""The ingest job: find papers, skip the unchanged, read, structure, chunk, embed, store.

Idempotent by content hash (the file's bytes, its manifest row and the parser version): an
unchanged paper costs one hash and one lookup. One writer per embedded store, by file lock.
"""

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant import unit_vectors
from assistant.embedder import BUNDLED, Embedder, embedding_space
from assistant.errors import EmbedderError, ManifestError, PaperError, StoreLockedError
from assistant.settings import Settings
from assistant.store import Store, date_int
from ingest import meeting
from ingest.chunk import chunk_paper
from ingest.metadata import ManifestProblem, ManifestRow, doc_id_for, infer_meta, load_manifest
from ingest.models import Paper, Paragraph
from ingest.read import read_document
from ingest.structure import parse_paragraphs, place

PARSER_VERSION = "3"  # bump when parsing changes what is stored: papers are re-read
MANIFEST_NAMES = ("manifest.yaml", "manifest.yml", "manifest.csv")


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: int = 0  # paragraphs (re)indexed in this run

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        return (f"papers: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed, {self.failed} failed; paragraphs: {self.paragraphs}")


def find_papers(paths: Iterable[Path], skip: set[Path],
                problem: Callable[[str, str], None] = lambda name, reason: None) -> list[Path]:
    """Every file under the given paths, except hidden ones and manifests, each file once.

    Under a folder, a link is followed only where it resolves inside one of the folders given
    (else a link to /etc/passwd would be served as a paper); a path named on the command line is
    taken as given, link or not. What is left out for a reason the user should hear of goes to
    ``problem(name, reason)``: such links, broken links, unreadable folders, empty folders."""
    paths = list(paths)
    folders = [p.resolve() for p in paths if p.is_dir()]
    candidates: list[tuple[Path, Path, bool]] = []  # (path, its real file, reached by a link)
    reported = 0

    def note(name: str, reason: str) -> None:
        nonlocal reported
        reported += 1
        problem(name, reason)

    for path in paths:
        if path.is_dir():
            before = reported
            files = [f for f in _walk(path, folders, note)
                     if f[1] not in skip and f[0].name not in MANIFEST_NAMES]
            if not files and reported == before:  # an empty folder, not one with bad links
                problem(str(path), "no papers found in this folder")
            candidates += files
        elif path.is_file():
            if path.resolve() not in skip and path.name not in MANIFEST_NAMES:
                candidates.append((path, path.resolve(), False))
        elif path.exists():
            problem(str(path), "not a regular file or folder")
        else:
            problem(str(path), "no such file or folder")
    first: dict[Path, Path] = {}  # real file -> the path it goes in under: not a link's, if any
    for path, real, linked in sorted(candidates, key=lambda c: c[2]):  # stable sort
        first.setdefault(real, path)
    keep = set(first.values())
    return list(dict.fromkeys(path for path, _, _ in candidates if path in keep))


def _walk(root: Path, folders: list[Path],
          problem: Callable[[str, str], None]) -> list[tuple[Path, Path, bool]]:
    """The files under ``root`` in name order, as (path, real path, reached by a link). Real
    folders first; then the links met on the way, each folder entered once (no loops)."""
    found: list[tuple[Path, Path, bool]] = []
    visited: set[Path] = set()
    links: list[Path] = []

    def visit(folder: Path, real: Path, linked: bool) -> None:
        visited.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problem(str(folder), f"cannot read the folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = folder / entry.name
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                visit(path, real / entry.name, linked)
            elif entry.is_file(follow_symlinks=False):
                found.append((path, real / entry.name, linked))

    visit(root, root.resolve(), False)
    while links:
        link = links.pop(0)
        try:
            target = link.resolve(strict=True)
        except FileNotFoundError:
            problem(str(link), f"a broken link (to {os.readlink(link)}); skipped")
            continue
        except (OSError, RuntimeError):  # a loop of links: RuntimeError before Python 3.13
            problem(str(link), "a link that cannot be resolved (a loop?); skipped")
            continue
        if not any(target.is_relative_to(f) for f in folders):
            problem(str(link), f"a link to {target}, outside the folders given; skipped")
        elif target.is_dir():
            if target not in visited:
                visit(link, target, True)
        elif target.is_file():
            found.append((link, target, True))
    found.sort(key=lambda f: f[0].parts)
    return found


def paper_hash(data: bytes, row: ManifestRow | None, space: str = BUNDLED) -> str:
    """Changes when the paper, its manifest row, the parser or the embedding space changes (the
    bundled model's space adds nothing, so stores made before spaces existed stay valid)."""
    digest = hashlib.sha256(data)
    digest.update(json.dumps(row.values if row else None, sort_keys=True).encode())
    digest.update(json.dumps(list(row.context_fields) if row else []).encode())
    digest.update(PARSER_VERSION.encode())
    if space != BUNDLED:
        digest.update(f"space:{space}".encode())
    return digest.hexdigest()


def read_structure(path: Path, max_bytes: int = 50_000_000) -> tuple[dict, list[Paragraph]]:
    """What a paper prints, read without a store or a model: its meeting metadata and its
    labelled paragraphs (with pages and boxes for a PDF)."""
    doc, paragraphs = _read(path, max_bytes)
    return meeting.infer(doc.text, paragraphs, doc.hints), paragraphs


def _read(path: Path, max_bytes: int):
    """The paper's Document and its labelled paragraphs, placed on their pages."""
    doc = read_document(path, max_bytes)
    return doc, place(parse_paragraphs(doc.text), doc.spans)


def build_paper(path: Path, row: ManifestRow | None, settings: Settings,
                content_hash: str, doc_id: str | None = None) -> Paper:
    """The paper read, structured and described; ``doc_id``, when given, is the one
    assign_doc_ids chose (it differs from the name-made one where names clash)."""
    doc, paragraphs = _read(path, settings.max_file_bytes)
    text = doc.text
    if not paragraphs:
        raise PaperError("no paragraphs found in the text")
    longest = max(paragraphs, key=lambda p: len(p.text))
    if len(longest.text) > settings.max_paragraph_chars:
        raise PaperError(f"paragraph '{longest.label}' is {len(longest.text):,} characters; "
                         f"the limit is {settings.max_paragraph_chars:,} (is the file one "
                         "unbroken block of text?)")
    meta = infer_meta(path, text, paragraphs, row, doc.hints)
    if doc_id is not None:
        meta = replace(meta, doc_id=doc_id)
    return Paper(meta=meta, source_path=str(path.resolve()), text=text, paragraphs=paragraphs,
                 content_hash=content_hash)


def paper_record(paper: Paper, n_chunks: int, space: str) -> dict:
    m = paper.meta
    return {"doc_id": m.doc_id, "hash": paper.content_hash, "embedding": space,
            "source": paper.source_path,
            "title": m.title, "council": m.council, "committee": m.committee,
            "meeting_date": m.meeting_date, "date_int": date_int(m.meeting_date),
            "doc_type": m.doc_type, "url": m.url, "item": m.item,
            "paragraphs": len(paper.paragraphs),
            "chunks": n_chunks, "context_fields": ",".join(m.context_fields) or None}


def boxes_json(paragraph: Paragraph) -> str:
    """A PDF paragraph's printed lines as [page, x0, top, x1, bottom] in points (top-left
    origin), for showing it on the page."""
    return json.dumps([[b[0], *(round(v, 1) for v in b[1:])] for b in paragraph.boxes],
                      separators=(",", ":"))


def chunk_rows(paper: Paper, settings: Settings) -> tuple[list[dict], list[str]]:
    """A paper's chunks as store rows, and the texts to embed for them."""
    chunks = chunk_paper(paper, settings.chunk_chars)
    m = paper.meta
    rows = [{"id": c.id, "text": c.text, "meta": {
        "doc_id": m.doc_id, "paragraph": c.label, "part": c.part, "heading": c.paragraph.heading,
        "kind": c.paragraph.kind, "start": c.paragraph.start, "end": c.paragraph.end,
        "ordinal": c.paragraph.ordinal, "page": c.paragraph.page,
        "boxes": boxes_json(c.paragraph) if c.paragraph.boxes else None,
        "paper_hash": paper.content_hash, "title": m.title,
        "council": m.council, "committee": m.committee, "meeting_date": m.meeting_date,
        "date_int": date_int(m.meeting_date), "doc_type": m.doc_type, "url": m.url,
        "item": m.item, "source": paper.source_path}} for c in chunks]
    return rows, [c.embed_text for c in chunks]


class _Batch:
    """Papers waiting to be embedded together: one model call over many papers is about twice
    as fast as one a paper (the model sorts a batch by length). Each paper is still written
    whole, on its own, so a killed run leaves no half paper."""

    def __init__(self, store: Store, embedder_factory: Callable[[], Embedder], size: int,
                 space: str):
        self.store, self.factory, self.size, self.space = store, embedder_factory, size, space
        self.embedder: Embedder | None = None  # loaded when the first changed paper needs it
        self.papers: list[tuple[Paper, list[dict], list[str], bool]] = []

    def add(self, paper: Paper, rows: list[dict], texts: list[str], update: bool) -> bool:
        self.papers.append((paper, rows, texts, update))
        return sum(len(p[1]) for p in self.papers) >= self.size

    def loaded_embedder(self) -> Embedder:
        """The embedder, loaded on first need and checked to make the settings' space."""
        if self.embedder is None:
            self.embedder = self.factory()
            if self.embedder.space != self.space:
                raise EmbedderError(f"the embedder makes '{self.embedder.space}' vectors but the "
                                    f"settings name '{self.space}'")
        return self.embedder

    def flush(self, report: "IngestReport") -> None:
        if not self.papers:
            return
        self.loaded_embedder()
        vectors = self.embedder.embed([t for p in self.papers for t in p[2]])
        units = [{r["id"]: unit_vectors.chunk_units(r["text"]) for r in rows}
                 for _, rows, _, _ in self.papers]
        unit_vecs = self.embedder.embed([d for paper in units for ds in paper.values()
                                         for d in ds])
        start = unit_start = 0
        for (paper, rows, _, update), paper_units in zip(self.papers, units):
            self.store.write_paper(paper_record(paper, len(rows), self.space), rows,
                                   vectors[start:start + len(rows)])
            start += len(rows)
            n = sum(len(ds) for ds in paper_units.values())
            unit_vectors.PARTS.write(self.store, paper.meta.doc_id, paper.content_hash,
                                     unit_vectors.make_part(paper.meta.doc_id, self.space,
                                                            paper_units,
                                                            unit_vecs[unit_start:unit_start + n]))
            unit_start += n
            report.paragraphs += len(paper.paragraphs)
            if update:
                report.updated += 1
            else:
                report.added += 1
        self.papers = []


def _lock(settings: Settings):
    if settings.chroma_url:  # a Chroma server serialises its own writes
        return nullcontext()
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "ingest.lock"))

    class _Held:
        def __enter__(self):
            try:
                lock.acquire(timeout=0)
            except Timeout:
                raise StoreLockedError(
                    f"another ingest is writing to {settings.data_dir}; wait for it to finish "
                    "(an embedded store takes one writer at a time)") from None

        def __exit__(self, *exc):
            lock.release()

    return _Held()


def assign_doc_ids(files: list[Path], rows: dict[str, ManifestRow], folders: list[Path],
                   records: dict[str, dict]) -> dict[Path, str]:
    """Each paper's doc_id: its manifest row's, else one made from its file name. When two
    papers would make the same id (`a b.txt`, `a-b.txt`; one name in two folders), the one
    already stored under it keeps it, else the first found; the other takes a suffix hashed
    from its path inside the folder given, so both go in and keep their ids from run to run.
    A manifest's doc_id is the user's and is never changed (a clash fails in run_ingest)."""
    ids: dict[Path, str] = {}
    for path in files:
        row = rows.get(path.name)
        if row and row.values.get("doc_id"):
            ids[path] = row.values["doc_id"]
    taken = set(ids.values())
    options = {path: _id_options(path, folders) for path in files if path not in ids}
    stored = {rec.get("source"): doc_id for doc_id, rec in records.items()}
    for path, choices in options.items():
        held = stored.get(str(path.resolve()))
        if held in choices and held not in taken:
            ids[path] = held
            taken.add(held)
    for path, choices in options.items():
        if path not in ids:
            # every option taken is as good as impossible; the first then fails as a clash
            ids[path] = next((c for c in choices if c not in taken), choices[0])
            taken.add(ids[path])
    return ids


def _id_options(path: Path, folders: list[Path]) -> list[str]:
    """The name-made id, then the same with a short hash of the path inside the folder given
    (stable wherever the folder is), then with one of the whole real path."""
    base = doc_id_for(path)
    inside = next((path.relative_to(f) for f in folders if path.is_relative_to(f)),
                  Path(path.name))
    return [base] + [f"{base}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"
                     for text in (inside.as_posix(), str(path.resolve()))]


def run_ingest(paths: list[Path], settings: Settings, embedder_factory: Callable[[], Embedder],
               manifest: Path | None = None, prune: bool = False,
               warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
               progress: bool | None = None) -> IngestReport:
    """Ingest papers under ``paths``; failures are reported one line each and skipped."""
    from tqdm import tqdm

    report = IngestReport()

    def fail(name: str, reason: str) -> None:
        report.failures.append((name, reason))
        warn(f"{name}: {reason}")

    missing = [p for p in paths if not p.exists()]
    for p in missing:
        fail(str(p), "no such file or folder")
    paths = [p for p in paths if p.exists()]
    if manifest is None:
        candidates = [d / n for d in paths if d.is_dir() for n in MANIFEST_NAMES]
        manifest = next((c for c in candidates if c.exists()), None)
    rows: dict[str, ManifestRow] = {}
    problems: list[ManifestProblem] = []
    skip: set[Path] = set()
    if manifest is not None:
        skip.add(manifest.resolve())
        try:
            rows = load_manifest(manifest)
            problems = rows.problems
        except ManifestError as exc:
            fail(str(manifest), f"{exc} (papers go in with inferred metadata)".removeprefix(
                f"{manifest}: "))
    files = find_papers(paths, skip, fail)
    names = {f.name for f in files}
    for problem in problems:  # one line a bad row; its paper, if found, goes in all the same
        name = Path(problem.file).name if problem.file else None
        if name is None or name in rows:  # nothing named, or another row for it applies
            fail(str(manifest), str(problem))
        elif name in names:
            fail(str(manifest), f"{problem}; {name} goes in with inferred metadata")
        else:
            fail(str(manifest), f"{problem}; and {name} is not among the papers found")
    for name, row in rows.items():
        if name not in names:
            fail(str(manifest), f"names '{row.file}', which is not among the papers found")

    with _lock(settings):
        store = Store(settings)
        orphans = store.orphan_chunk_ids()  # left by an ingest that was killed midway
        if orphans:
            store.delete_chunks(orphans)
        records = store.paper_records()
        space = embedding_space(settings)
        batch = _Batch(store, embedder_factory, settings.embed_papers_batch, space)
        seen: dict[str, Path] = {}
        ids = assign_doc_ids(files, rows, [p for p in paths if p.is_dir()], records)
        bar = tqdm(files, desc="ingest", unit="paper", file=sys.stderr,
                   disable=not progress if progress is not None else None, leave=False)
        for path in bar:
            row = rows.get(path.name)
            doc_id = ids[path]
            if doc_id in seen:  # two manifest rows give the same doc_id
                fail(str(path), f"doc_id '{doc_id}' is already taken by {seen[doc_id]}")
                continue
            seen[doc_id] = path
            try:
                data = path.read_bytes()
            except OSError as exc:
                fail(str(path), f"cannot read the file: {exc.strerror or exc}")
                continue
            content_hash = paper_hash(data, row, space)
            existing = records.get(doc_id)
            if existing and existing.get("hash") == content_hash:
                report.unchanged += 1
                continue
            try:
                paper = build_paper(path, row, settings, content_hash, doc_id)
                rows_, texts = chunk_rows(paper, settings)
            except PaperError as exc:
                fail(str(path), str(exc))
                continue
            except Exception as exc:  # a reader library's surprise must not sink the batch
                fail(str(path), f"could not be read: {exc.__class__.__name__}: "
                                f"{' '.join(str(exc).split())[:160]}")
                continue
            if batch.add(paper, rows_, texts, update=existing is not None):
                batch.flush(report)
        batch.flush(report)
        bar.close()
        given = {str(p) for p in paths} | {str(p) for p in missing}
        unsure = sorted({name for name, _ in report.failures if name in given})
        if prune and (unsure or not files):
            warn(f"not pruning: {', '.join(unsure) or 'no papers were found'} could not be read "
                 "whole, and pruning would remove papers that may still be there")
        elif prune:
            synced = (settings.data_dir / "moderngov").resolve()  # a sync prunes its own papers
            for doc_id in sorted(set(records) - set(seen)):
                if not Path(records[doc_id].get("source") or "/").is_relative_to(synced):
                    store.delete_paper(doc_id)
                    report.removed += 1
        from assistant import lexical_parts, register

        register.PARTS.save(store)  # each new or changed paper's register part, from its chunks
        # answer units' vectors of papers an older Clerk ingested (new papers' were saved above)
        unit_vectors.parts(batch.loaded_embedder).save(store)
        if store.needs_publishing():
            from assistant.lexical import publish

            publish(store)  # the BM25 index saved beside the store, then the change marker
        register.PARTS.prune(store)  # the parts of papers changed or removed, after the marker
        lexical_parts.PARTS.prune(store)  # likewise the BM25 index's
        unit_vectors.PARTS.prune(store)  # and the answer units' vectors
        from assistant.metrics import record_ingest

        record_ingest(Path(settings.data_dir), report)  # counts for /metrics
    return report
