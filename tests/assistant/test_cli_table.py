"""`clerk papers` reads in a 100-column terminal whatever the names' lengths."""

from assistant.cli import papers_table

ROWS = [{"doc_id": "royal-sutton-coldfield-tc-amenities-leisure-community-services-2018-03-13-"
                   "minutes", "council": "Royal Sutton Coldfield Town Council",
         "committee": "Amenities, Leisure and Community Services Committee",
         "meeting_date": "2018-03-13", "paragraphs": 41},
        {"doc_id": "ayton-2008", "council": "Ayton Community Council", "committee": None,
         "meeting_date": None, "paragraphs": 12}]


def test_every_line_fits_100_columns_with_dates_and_counts_whole():
    lines = papers_table(ROWS, 100)
    assert all(len(line) <= 100 for line in lines)
    assert lines[1].startswith("2018-03-13") and lines[1].endswith("41")
    assert lines[2].startswith("undated") and "Ayton Community Council" in lines[2]
    assert "…" in lines[1]  # the long names are shortened, visibly


def test_a_wide_terminal_shows_names_whole():
    wide = papers_table(ROWS, 220)
    assert "Amenities, Leisure and Community Services Committee" in wide[1]
    assert "…" not in "".join(wide)
