"""The scoring rules of the shared data README, and ``newsetl eval`` on the project's own fixture pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flows.cli import main
from tasks.scoring import (
    author_set_f1,
    authors_ok,
    first_items_share,
    language_ok,
    ngrams,
    overlap,
    page_site,
    published_day_ok,
    published_ok,
    score_folder,
    sentence_in,
    split_folds,
    title_ok,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "eval"
SHARED = Path(__file__).parents[3] / "shared" / "data"


def test_title_equality_is_nfc_and_whitespace_only():
    assert title_ok("Cần  Thơ\n mưa", "Cần Thơ mưa")
    assert title_ok("Ca\u0300 phe", "Cà phe")  # NFD vs NFC
    assert not title_ok("cần thơ mưa", "Cần Thơ mưa")
    assert not title_ok("Cần Thơ mưa - Báo Mẫu", "Cần Thơ mưa")


def test_authors_are_a_set_with_set_f1_as_diagnostic():
    assert authors_ok(["B", "A"], ["A", "B"]) and not authors_ok(["A"], ["A", "B"])
    assert author_set_f1(["A"], ["A", "B"]) == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert author_set_f1([], []) == 1.0


def test_published_at_to_the_minute_with_offsets():
    utc7 = timezone(timedelta(hours=7))
    assert published_ok(datetime(2025, 6, 30, 13, 59, 5, tzinfo=UTC), "2025-06-30T15:59:30+02:00")
    assert not published_ok(datetime(2025, 6, 30, 15, 59), "2025-06-30T15:59:30+02:00")  # no offset: a miss
    assert not published_ok(datetime(2025, 6, 30, 15, 59, tzinfo=utc7), "2025-06-30T15:59:30+02:00")
    # expected without offset: local clock time, predicted offset ignored; a date matches midnight
    assert published_ok(datetime(2025, 6, 30, 15, 59, tzinfo=utc7), "2025-06-30T15:59:00")
    assert published_ok(date(2025, 6, 30), "2025-06-30T00:00:00")
    assert not published_ok(None, "2025-06-30T00:00:00")
    assert published_day_ok(datetime(2025, 6, 30, 1, 0, tzinfo=utc7), "2025-06-30T15:59:30+02:00")


def test_word_four_grams():
    assert sum(ngrams("a b c d e").values()) == 2
    assert list(ngrams("một hai")) == [("một", "hai")]  # 1-3 tokens: one shorter sequence
    assert ngrams("") == {}
    assert list(ngrams("日本語のテキスト。次の文")) == [("日本語のテキスト", "次の文")]  # a run is one token
    precision, recall = overlap("a b c d x", "a b c d e f")
    assert (precision, recall) == (1 / 2, 1 / 3)
    assert overlap("", "a b c d") == (None, 0.0)


def test_language_primary_subtag_and_norwegian():
    assert language_ok("de-AT", "de") and language_ok("nb", "no") and language_ok("NN", "no")
    assert not language_ok(None, "de") and not language_ok("da", "no")


def test_first_items_position_by_position():
    expected = [{"title": "A", "url": "https://x.vn/a"}, {"title": "B", "url": "https://x.vn/b"},
                {"title": "C", "url": "https://x.vn/c"}]
    predicted = [{"title": "A", "url": "http://x.vn/a#top"}, {"title": "C", "url": "/c"},
                 {"title": "C ", "url": "/c"}]
    assert first_items_share(predicted, expected, "https://x.vn/list") == pytest.approx(2 / 3)


def test_eval_command_prints_the_right_figures_for_known_pages(capsys):
    assert main(["eval", str(FIXTURES), "--json", "--misses"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["pages"] == 2 and got["errors"] == 0 and got["pages_per_second"] > 0
    assert got["title"] == {"pages": 2, "score": 0.5}
    assert got["authors"] == {"pages": 2, "score": 0.5, "set_f1": 0.5}
    assert got["published_at"] == {"pages": 2, "score": 1.0, "right_day": 1.0}
    assert got["language"] == {"pages": 2, "score": 0.5}
    assert got["lead"] == {"pages": 1, "f1": 1.0, "precision": 1.0, "recall": 1.0}
    # page b: 12 shared 4-grams of 27 predicted and 24 expected; page a is exact
    precision, recall = (1 + 12 / 27) / 2, (1 + 12 / 24) / 2
    assert got["body"] == {"pages": 2, "f1": round(2 * precision * recall / (precision + recall), 4),
                           "precision": round(precision, 4), "recall": round(recall, 4)}
    assert {(m["name"], m["field"]) for m in got["misses"]} >= {("b-en", "title"), ("b-en", "authors"),
                                                                ("b-en", "language"), ("b-en", "body")}
    assert got["provenance"]["title"] == {"page": 2} or sum(got["provenance"]["title"].values()) == 2


def test_eval_command_table_and_bad_folder(capsys, tmp_path):
    assert main(["eval", str(FIXTURES), "--provenance"]) == 0
    out = capsys.readouterr().out
    assert "title" in out and "0.500" in out and "body F1 (P / R)" in out and "which signal" in out
    assert main(["eval", str(tmp_path / "missing")]) == 2
    assert main(["eval", str(tmp_path)]) == 2


def test_body_sentences_after_nfc_bom_removal_and_whitespace():
    body = "Mở đầu \ufeffbài.\n\nCâu  giữa\tbài. Ca\u0300u cuối."
    assert sentence_in(body, "Mở đầu bài.") and sentence_in(body, "Câu giữa bài.") and sentence_in(body, "Càu cuối.")
    assert not sentence_in(body, "mở đầu bài.")  # case counts
    assert not sentence_in(None, "Mở đầu bài.") and not sentence_in(body, "  ")


def test_sentence_fields_are_scored_and_missed_with_the_body_end_shown():
    expected = {"url": "https://bao.example.vn/x", "body": None, "body_first_sentence": "Câu đầu.",
                "body_last_sentence": "Câu cuối."}

    def predict(data: bytes, url: str):
        return {"body": data.decode()}, {}

    score = score_folder([("x", "Câu đầu. Giữa. Câu cuối.".encode(), expected),
                          ("y", "Câu đầu. Giữa. Tin: AN".encode(), expected)], predict)
    assert score.body_first_sentence.score == 1.0 and score.body_last_sentence.score == 0.5
    assert score.as_dict()["body_last_sentence"] == {"pages": 2, "score": 0.5}
    [miss] = score.misses
    assert (miss.name, miss.field, miss.got) == ("y", "body_last_sentence", "Câu đầu. Giữa. Tin: AN")
    assert score.body.pages == 0  # body null: not scored


def _pages(*sites_and_urls):
    return [(f"p{i}", b"", {"site": site, "url": url}) for i, (site, url) in enumerate(sites_and_urls)]


def test_folds_keep_a_site_together_and_are_the_same_every_time():
    pages = _pages(*[(None, f"https://www.site{i % 7}.example/a{i}") for i in range(30)],
                   ("given.example", "https://cdn.other.example/x"))
    assert page_site("p", {"url": "https://WWW.Site1.example/a"}) == "site1.example"
    assert page_site("p", {"site": "given.example", "url": "https://cdn.other.example/x"}) == "given.example"
    folds = split_folds(pages, 3)
    assert [[p[0] for p in fold] for fold in folds] == [[p[0] for p in fold] for fold in split_folds(pages, 3)]
    assert sorted(p[0] for fold in folds for p in fold) == sorted(p[0] for p in pages)  # each page once
    site_fold = {}
    for number, fold in enumerate(folds):
        for name, _, expected in fold:
            assert site_fold.setdefault(page_site(name, expected), number) == number  # a site in one fold only
    assert sorted(len({page_site(n, e) for n, _, e in fold}) for fold in folds) == [2, 3, 3]  # 8 sites dealt out
    assert len(split_folds(pages[:8:7], 5)) == 1  # one site: one fold, no empty ones
    with pytest.raises(ValueError):
        split_folds(pages, 0)


def test_eval_folds_report_each_fold_and_the_whole(capsys):
    assert main(["eval", str(FIXTURES), "--json", "--folds", "2"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [fold["sites"] for fold in got["folds"]] in (
        [["bao.example.vn"], ["times.example.com"]], [["times.example.com"], ["bao.example.vn"]])
    assert sorted(fold["title"]["score"] for fold in got["folds"]) == [0.0, 1.0] and got["title"]["score"] == 0.5
    assert main(["eval", str(FIXTURES), "--folds", "2"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the table's title wraps with the folder's path length
    assert "2 folds by site" in out and "fold 2" in out and "1 sites" in out and "published_day" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(FIXTURES), "--folds", "0"])
    assert exit_info.value.code == 2


def test_extract_command_reads_several_files_as_json_lines(capsys):
    code = main(["extract", str(FIXTURES / "a-vi.html"), str(FIXTURES / "b-en.html.gz"),
                 "--url", "https://bao.example.vn/a.html"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(lines) == 2
    assert lines[0]["title"] == "Cần Thơ thông xe cầu Rạch Ngỗng 2" and lines[0]["authors"] == ["Lê Văn An"]
    assert lines[1]["title"] == "Council approves water plan" and lines[1]["language"] == "en"
    assert lines[0]["published_at"] == "2026-03-07T08:01:00+07:00"


@pytest.mark.skipif(not (SHARED / "aeb-dev").is_dir(), reason="../shared/data is not present")
def test_shared_pages_score_when_present(capsys):
    """A smoke check on the shared development pages (figures are for the benchmark, not asserted exactly)."""
    from flows.read import eval_prediction
    from tasks.scoring import read_folder, score_folder

    pages = read_folder(SHARED / "aeb-dev")[:10]
    score = score_folder(pages, eval_prediction)
    assert score.pages == 10 and score.errors == 0 and score.body.f1 > 0.8
