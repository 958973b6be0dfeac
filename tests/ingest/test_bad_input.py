"""Input an attacker or a careless export would give ingest: bad manifest rows, links out of the
papers folder, file names in other scripts, paths that are not there. Each gets one line, the
rest still goes in, and the exit code says something failed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.store import Store
from ingest.metadata import load_manifest
from ingest.pipeline import run_ingest
from tests.conftest import CORPUS, ROOT

PASSWD = Path("/etc/passwd").resolve()
PAPER = "1. The committee noted the report on {topic}.\n\n2. RESOLVED that {topic} be approved.\n"


def ingest(paths, settings, embedder, **kw):
    lines: list[str] = []
    report = run_ingest([Path(p) for p in paths], settings, lambda: embedder, warn=lines.append,
                        progress=False, **kw)
    assert all("\n" not in line for line in lines)
    return report, lines


def papers_dir(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAPER.format(topic=f"topic {i} {name}"), encoding="utf-8")
    return folder


# -- manifest rows ---------------------------------------------------------------------------

def test_impossible_unquoted_date_is_one_bad_row_and_the_other_rows_apply(tmp_path, settings_for,
                                                                          embedder):
    folder = papers_dir(tmp_path, "a.txt", "b.txt")
    (folder / "manifest.yaml").write_text(
        "papers:\n"
        "  - file: a.txt\n    council: Anytown Borough Council\n    meeting_date: 2021-02-30\n"
        "  - file: b.txt\n    council: Anytown Borough Council\n    meeting_date: 2021-03-01\n")
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder)
    assert (report.added, report.failed) == (2, 1)
    assert lines == [f"{folder / 'manifest.yaml'}: row 1 (a.txt): meeting_date '2021-02-30' is "
                     "not a real date; a.txt goes in with inferred metadata"]
    records = Store(settings).paper_records()
    assert records["b"]["meeting_date"] == "2021-03-01"
    assert records["b"]["council"] == "Anytown Borough Council"
    assert "meeting_date" not in records["a"] and "council" not in records["a"]


def test_quoted_bad_date_no_longer_drops_the_whole_manifest(tmp_path):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("- file: a.txt\n  meeting_date: '2021-02-30'\n"
                        "- file: b.txt\n  meeting_date: '2021-03-01'\n")
    rows = load_manifest(manifest)
    assert list(rows) == ["b.txt"] and rows["b.txt"].values["meeting_date"] == "2021-03-01"
    assert [str(p) for p in rows.problems] == ["row 1 (a.txt): meeting_date '2021-02-30' is not "
                                               "a real date"]


@pytest.mark.parametrize("row,reason", [
    ("- just a line of text", "row 1: expected a mapping of fields, got text"),
    ("- council: X", "row 1: has no 'file'"),
    ("- file: x.txt\n  meeting_date: 28/07/2020",
     "row 1 (x.txt): meeting_date '28/07/2020' is not a date: expected YYYY-MM-DD"),
    ("- file: x.txt\n  meeting_date: !!timestamp 2021-02-30",
     "row 1 (x.txt): meeting_date '2021-02-30' is not a real date"),
    ("- file: x.txt\n  doc_type: memo",
     "row 1 (x.txt): doc_type 'memo' is not one of minutes, report, agenda, decision, appendix, "
     "paper"),
    ("- file: x.txt\n  council: [A, B]", "row 1 (x.txt): council should be a single value, got a "
                                         "list"),
    ("- file: x.txt\n  known_from_context: [colour]", "row 1 (x.txt): known_from_context"),
])
def test_each_kind_of_bad_row_is_named_and_the_good_row_after_it_kept(tmp_path, row, reason):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(f"{row}\n- file: good.txt\n  meeting_date: 2024-05-01\n")
    rows = load_manifest(manifest)
    assert list(rows) == ["good.txt"] and rows["good.txt"].values["meeting_date"] == "2024-05-01"
    assert len(rows.problems) == 1 and str(rows.problems[0]).startswith(reason)


def test_dates_with_a_time_and_plain_dates_keep_their_values(tmp_path):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("- file: a.txt\n  meeting_date: 2021-02-03 10:00\n"
                        "- file: b.txt\n  meeting_date: 2021-02-03\n  doc_type: Minutes\n")
    rows = load_manifest(manifest)
    assert rows.problems == []
    assert [r.values["meeting_date"] for r in rows.values()] == ["2021-02-03", "2021-02-03"]


def test_csv_manifest_bad_rows_one_line_each_the_rest_apply(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt", "b.txt", "c.txt")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\ufefffile,council,meeting_date,doc_type\n"  # a spreadsheet's BOM
                        "a.txt,Anytown Borough Council,2021-02-30,minutes\n"
                        ",Nowhere Council,2021-01-01,minutes\n"
                        "c.txt,Anytown Borough Council,2021-04-01,leaflet\n"
                        "b.txt,Anytown Borough Council,2021-03-01,minutes\n", encoding="utf-8")
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder, manifest=manifest)
    assert (report.added, report.failed) == (3, 3)
    assert lines == [
        f"{manifest}: row 1 (a.txt): meeting_date '2021-02-30' is not a real date; a.txt goes in "
        "with inferred metadata",
        f"{manifest}: row 2: has no 'file'",
        f"{manifest}: row 3 (c.txt): doc_type 'leaflet' is not one of minutes, report, agenda, "
        "decision, appendix, paper; c.txt goes in with inferred metadata"]
    records = Store(settings).paper_records()
    assert records["b"]["meeting_date"] == "2021-03-01"
    assert "meeting_date" not in records["a"] and "meeting_date" not in records["c"]


def test_bad_row_for_a_paper_not_found_says_so(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt")
    (folder / "manifest.yaml").write_text("- file: gone.txt\n  meeting_date: 2021-13-01\n")
    report, lines = ingest([folder], settings_for(), embedder)
    assert (report.added, report.failed) == (1, 1)
    assert lines[0].endswith("row 1 (gone.txt): meeting_date '2021-13-01' is not a real date; "
                             "and gone.txt is not among the papers found")


def test_wholly_malformed_yaml_is_still_one_line(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt")
    (folder / "manifest.yaml").write_text("papers: [file: {unclosed\n  - : :\n")
    report, lines = ingest([folder], settings_for(), embedder)
    assert (report.added, report.failed) == (1, 1)
    assert len(lines) == 1 and "malformed YAML" in lines[0]


def test_sample_manifest_loads_without_problems():
    assert load_manifest(CORPUS / "manifest.yaml").problems == []


# -- links -------------------------------------------------------------------------------------

def test_link_out_of_the_papers_folder_is_skipped_with_a_reason(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt")
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("1. The password is hunter2.\n")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.txt").symlink_to(secret)
    (folder / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder)
    assert (report.added, report.failed) == (1, 3)
    assert sorted(lines) == [
        f"{folder / 'elsewhere'}: a link to {secret.parent}, outside the folders given; skipped",
        f"{folder / 'passwd.txt'}: a link to {PASSWD}, outside the folders given; skipped",
        f"{folder / 'secret.txt'}: a link to {secret}, outside the folders given; skipped"]
    store = Store(settings)
    assert list(store.paper_records()) == ["a"]
    assert not any("hunter2" in c.text or "root:" in c.text for c in store.all_chunks())


def test_link_given_on_the_command_line_is_the_users_choice(tmp_path, settings_for, embedder):
    target = papers_dir(tmp_path, "a.txt") / "a.txt"
    link = tmp_path / "chosen.txt"
    link.symlink_to(target)
    report, lines = ingest([link], settings_for(), embedder)
    assert (report.added, report.failed, lines) == (1, 0, [])


def test_links_inside_the_tree_put_each_paper_in_once(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt", "sub/b.txt")
    (folder / "alias-of-a.txt").symlink_to(folder / "a.txt")
    (folder / "all").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)  # a cycle
    (folder / "sub" / "self").symlink_to("self")  # a link to itself
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder)
    assert report.added == 2
    assert lines == [f"{folder / 'sub' / 'self'}: a link that cannot be resolved (a loop?); "
                     "skipped"]
    records = Store(settings).paper_records()
    assert sorted(records) == ["a", "b"]
    assert records["a"]["source"] == str((folder / "a.txt").resolve())


def test_broken_link_gets_a_line(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt")
    (folder / "gone.txt").symlink_to(folder / "deleted.txt")
    report, lines = ingest([folder], settings_for(), embedder)
    assert (report.added, report.failed) == (1, 1)
    assert lines == [f"{folder / 'gone.txt'}: a broken link (to {folder / 'deleted.txt'}); "
                     "skipped"]


def test_link_from_one_given_folder_into_another_is_followed_once(tmp_path, settings_for,
                                                                  embedder):
    first = papers_dir(tmp_path, "a.txt")
    second = tmp_path / "more"
    second.mkdir()
    (second / "b.txt").write_text(PAPER.format(topic="libraries"))
    (first / "b-alias.txt").symlink_to(second / "b.txt")
    settings = settings_for()
    report, lines = ingest([first, second], settings, embedder)
    assert (report.added, report.failed, lines) == (2, 0, [])
    assert sorted(Store(settings).paper_records()) == ["a", "b"]


# -- doc ids from file names -------------------------------------------------------------------

def test_names_in_other_scripts_keep_distinct_readable_ids(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "протокол 2024.txt", "会议纪要.txt", "Protokoll Ausschuss.txt",
                        "!!!.txt")
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder)
    assert (report.added, report.failed, lines) == (4, 0, [])
    ids = {r["source"].rsplit("/", 1)[-1]: i for i, r in Store(settings).paper_records().items()}
    assert ids["протокол 2024.txt"] == "протокол-2024"
    assert ids["会议纪要.txt"] == "会议纪要"
    assert ids["Protokoll Ausschuss.txt"] == "protokoll-ausschuss"  # ASCII as it always was
    assert ids["!!!.txt"].startswith("paper-") and len(ids["!!!.txt"]) == len("paper-") + 8


@pytest.mark.parametrize("name,doc_id", [
    ("Minutes 12 May 2024 (final).pdf", "minutes-12-may-2024-final"),
    ("__Cabinet_Report__.docx", "cabinet-report"),
    ("Café Ŵyl.txt", "café-ŵyl"),
    ("Ｆｕｌｌ Ｗｉｄｔｈ.txt", "full-width"),
    ("हिन्दी बैठक.txt", "हिन्दी-बैठक"),
])
def test_doc_id_for_keeps_letters_and_digits_of_any_script(name, doc_id):
    from ingest.metadata import doc_id_for

    assert doc_id_for(Path(name)) == doc_id


def test_colliding_names_both_go_in_and_keep_their_ids(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a-b.txt", "x/minutes.txt", "y/minutes.txt")
    settings = settings_for()
    report, lines = ingest([folder], settings, embedder)
    assert (report.added, report.failed, lines) == (3, 0, [])
    before = {r["source"]: i for i, r in Store(settings).paper_records().items()}
    assert before[str(folder / "a-b.txt")] == "a-b"
    assert before[str(folder / "x/minutes.txt")] == "minutes"
    assert before[str(folder / "y/minutes.txt")].startswith("minutes-")
    # a new file that sorts first and makes the same id does not take it from the stored one
    (folder / "a b.txt").write_text(PAPER.format(topic="parks"))
    report, lines = ingest([folder], settings, embedder)
    assert (report.added, report.unchanged, report.failed, lines) == (1, 3, 0, [])
    after = {r["source"]: i for i, r in Store(settings).paper_records().items()}
    assert {s: after[s] for s in before} == before
    assert after[str(folder / "a b.txt")].startswith("a-b-")


# -- paths that are not there, not readable, not papers ----------------------------------------

def test_missing_path_and_empty_folder_one_line_each(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt")
    empty = tmp_path / "empty"
    (empty / ".hidden").mkdir(parents=True)
    (empty / "manifest.yaml").write_text("[]\n")
    report, lines = ingest([tmp_path / "nope", empty, folder], settings_for(), embedder)
    assert (report.added, report.failed) == (1, 2)
    assert lines == [f"{tmp_path / 'nope'}: no such file or folder",
                     f"{empty}: no papers found in this folder"]


def test_named_path_that_is_not_a_file_or_folder_does_not_hang(tmp_path, settings_for, embedder):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    report, lines = ingest([fifo], settings_for(), embedder)
    assert report.failed == 1 and lines == [f"{fifo}: not a regular file or folder"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file all the same")
def test_unreadable_file_and_folder_one_line_each(tmp_path, settings_for, embedder):
    folder = papers_dir(tmp_path, "a.txt", "locked.txt", "shut/b.txt")
    (folder / "locked.txt").chmod(0)
    (folder / "shut").chmod(0)
    try:
        report, lines = ingest([folder], settings_for(), embedder)
    finally:
        (folder / "shut").chmod(0o755)
    assert (report.added, report.failed) == (1, 2)
    assert sorted(lines) == [f"{folder / 'locked.txt'}: cannot read the file: Permission denied",
                             f"{folder / 'shut'}: cannot read the folder: Permission denied"]


def test_cli_bad_paths_exit_non_zero_with_the_usual_summary(tmp_path):
    folder = papers_dir(tmp_path, "a.txt")
    (folder / "out.txt").symlink_to("/etc/passwd")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, CLERK_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(tmp_path / "nope"),
                           str(empty), str(folder)], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1
    assert done.stdout.strip().splitlines()[-1] == (
        "papers: 1 added, 0 updated, 0 unchanged, 0 removed, 3 failed; paragraphs: 2")
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("/")]
    assert errors == [f"{tmp_path / 'nope'}: no such file or folder",
                      f"{empty}: no papers found in this folder",
                      f"{folder / 'out.txt'}: a link to {PASSWD}, outside the folders given; "
                      "skipped"]


def test_prune_with_a_missing_or_empty_folder_removes_nothing(tmp_path, settings_for, embedder):
    from ingest.pipeline import run_ingest

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("1. The council agreed the budget.\n", encoding="utf-8")
    settings = settings_for()
    assert run_ingest([papers], settings, lambda: embedder, progress=False).added == 1
    lines: list[str] = []
    empty = tmp_path / "empty"
    empty.mkdir()
    for paths in ([tmp_path / "typo"], [empty], [papers, tmp_path / "typo"]):
        report = run_ingest(paths, settings, lambda: embedder, prune=True, warn=lines.append,
                            progress=False)
        assert report.removed == 0 and report.failed >= 1
    assert sum(line.startswith("not pruning:") for line in lines) == 3
    assert run_ingest([papers], settings, lambda: embedder, prune=True,
                      progress=False).unchanged == 1
