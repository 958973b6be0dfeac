"""Which meeting a paper belongs to: manifest first, then what the paper prints; never a guess."""

from pathlib import Path

import pytest

from assistant.errors import ManifestError
from ingest.meeting import printed_date
from ingest.metadata import infer_meta, load_manifest
from ingest.structure import parse_paragraphs
from tests.conftest import CORPUS


def inferred(name):
    path = CORPUS / name
    text = path.read_text(encoding="utf-8")
    return infer_meta(path, text, parse_paragraphs(text), None)


@pytest.mark.parametrize("text,expected", [
    ("TUESDAY 28 JULY 2020", "2020-07-28"),
    ("6 February 2018, 3.00pm", "2018-02-06"),
    ("Wednesday, 1st March 2023", "2023-03-01"),
    ("31 February 2020", None),
    ("June 2021", None),
])
def test_printed_dates_are_read_and_partial_dates_are_not(text, expected):
    assert printed_date(text) == expected


def test_report_metadata_inferred_from_its_header():
    meta = inferred("surrey-cfllc-2020-07-28-childrens-improvement-update.md")
    assert meta.meeting_date == "2020-07-28"
    assert meta.committee == "Children, Families, Lifelong Learning and Culture Select Committee"
    assert meta.title == "Children's Improvement Update"
    assert meta.doc_type == "report"


@pytest.mark.parametrize("running,expected", [
    ("Planning and Highways Minutes | Tuesday 4 May 2021\nPage | 2", "Planning and Highways"),
    ("AMENITIES AND LEISURE MINUTES\nPage 2", "Amenities and Leisure"),
    ("Draft Minutes\nPage 2", None),
])
def test_a_running_footer_that_names_whose_minutes_they_are_gives_the_committee(running,
                                                                                expected):
    from ingest.meeting import infer

    text = "Present: Cllrs Hall, Wood and Ellis.\n\nThe minutes were approved."
    assert infer(text, parse_paragraphs(text), {"running": running})["committee"] == expected


def test_record_of_proceedings_metadata():
    meta = inferred("surrey-ces-performance-reference-group-2018-02-06.md")
    assert meta.meeting_date == "2018-02-06"
    assert meta.committee == "Children and Education Select Committee"
    assert meta.doc_type == "minutes"


@pytest.mark.parametrize("name", [
    "surrey-cfllc-2021-childrens-improvement-update-minutes.txt",
    "west-sussex-2020-children-first-improvement-minutes.txt",
    "surrey-scrutiny-board-2016-interim-head-childrens-services-minutes.txt",
])
def test_no_date_is_invented_when_none_is_printed_in_the_header(name):
    meta = inferred(name)
    assert meta.meeting_date is None  # 004 prints "4 March 2016" in its body, not as its date
    assert meta.doc_type == "minutes"
    assert meta.council is None  # "North Yorkshire County Council" in the body is not the author


def test_manifest_values_win_and_context_fields_are_recorded():
    rows = load_manifest(CORPUS / "manifest.yaml")
    row = rows["surrey-cfllc-2021-childrens-improvement-update-minutes.txt"]
    path = CORPUS / row.file
    text = path.read_text(encoding="utf-8")
    meta = infer_meta(path, text, parse_paragraphs(text), row)
    assert meta.council == "Surrey County Council"
    assert meta.committee.startswith("Children, Families")
    assert meta.context_fields == ("committee",)
    assert meta.meeting_date is None


def test_csv_manifest(tmp_path: Path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,council,meeting_date,url\nx.txt,Anytown Borough Council,2024-05-01,"
                        "https://example.org/x\n")
    row = load_manifest(manifest)["x.txt"]
    assert row.values["council"] == "Anytown Borough Council"
    assert row.values["meeting_date"] == "2024-05-01"


@pytest.mark.parametrize("content,reason", [
    ("papers: [file: a.txt\n", "malformed YAML"),
    ("just a string", "expected a list"),
])
def test_malformed_manifest_gets_a_one_line_reason(tmp_path: Path, content, reason):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(content)
    with pytest.raises(ManifestError) as err:
        load_manifest(manifest)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def _meta_of(text: str) -> dict:
    from ingest.meeting import infer

    return infer(text, parse_paragraphs(text), {})


def test_a_council_named_in_a_sentence_with_another_tier_is_a_partner_not_the_paper_s_own():
    text = ("## Amenities Committee\n\n## Tuesday 13th March 2018\n\n## Anytown Town Hall\n\n"
            "A resident raised the grass cutting. The Chairman advised that Bigcity City Council "
            "is responsible for this service, and Bigcity City Council will be asked.\n\n"
            "52\tApologies\nNone.\n\n53\tGrants\nThe Town Council agreed the grants. Play "
            "equipment funded by the Town Council is installed.\n")
    assert _meta_of(text)["council"] == "Anytown Town Council"  # from the venue, its own tier
    plain = text.replace("## Anytown Town Hall\n\n", "")
    assert _meta_of(plain)["council"] is None  # never the partner named in the sentence


def test_a_council_named_in_a_title_line_still_wins():
    text = ("## Anytown Parish Council\n\n## Minutes of 5 March 2024\n\n1. Apologies\nNone.\n\n"
            "2. Planning\nThe Parish Council noted that Bigcity City Council had approved it. "
            "The Parish Council had no objection.\n")
    assert _meta_of(text)["council"] == "Anytown Parish Council"


def test_a_council_is_named_from_its_address_when_it_prints_no_name():
    """A report that says only "the Council" and "Surrey's children's services" but prints
    surreycc.gov.uk is Surrey's; an address spelling a tier out gives the tier. An address
    naming no place the paper prints, two councils' addresses, or a parish's paper quoting a
    county's address name no council."""
    assert inferred("surrey-cfllc-2020-07-28-childrens-improvement-update.md").council == "Surrey"
    report = ("CABINET\n\n5 March 2024\n\n1. The Council's plan for Anytown's libraries.\n\n"
              "Contact: Ann Officer, ann.officer@{}.gov.uk\n")
    assert _meta_of(report.format("anytowncc"))["council"] == "Anytown"
    assert _meta_of(report.format("anytowntowncouncil"))["council"] == "Anytown Town Council"
    assert _meta_of(report.format("elsewhere"))["council"] is None
    two = report.format("anytowncc") + "See also www.bigshire.gov.uk for Bigshire.\n"
    assert _meta_of(two)["council"] is None
    parish = ("Minutes\n\n5 March 2024\n\n1. The Parish Council noted Bigshire's letter "
              "(highways@bigshire.gov.uk). The Parish Council agreed to reply.\n")
    assert _meta_of(parish)["council"] is None
