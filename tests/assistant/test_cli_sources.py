"""`clerk ask` prints each cited paragraph once, with every quote the answer took from it."""

from assistant.cli import print_answer
from assistant.models import Answer, Citation


def cited(ref: int, paragraph: str, quote: str) -> Citation:
    return Citation(ref=ref, doc_id="report", title="Children's Improvement Update",
                    committee="Select Committee", meeting_date="2020-07-28",
                    paragraph=paragraph, quote=quote, url="https://council.example/report.pdf",
                    view_url=f"/papers/report/view?paragraph={paragraph}")


def test_two_quotes_from_one_paragraph_are_printed_under_one_heading(capsys):
    answer = Answer(answer="There have been 1088 audits. [1] A report is attached. [2] "
                    "Themes continue. [3]", abstained=False, citations=[
                        cited(1, "19", "There have been 1088 audits."),
                        cited(2, "19", "A report is attached."),
                        cited(3, "20", "Themes continue.")])
    print_answer(answer)
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == [
        "[1, 2] Children's Improvement Update (Select Committee, 2020-07-28), paragraph 19",
        '    [1] "There have been 1088 audits."',
        '    [2] "A report is attached."',
        "    https://council.example/report.pdf",
        "[3] Children's Improvement Update (Select Committee, 2020-07-28), paragraph 20",
        '    "Themes continue."',
        "    https://council.example/report.pdf"]
