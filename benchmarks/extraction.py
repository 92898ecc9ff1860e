"""Extraction benchmark: newsetl's extractor beside trafilatura, same pages, same process, same run.

Usage (from the repository root; the data folders are ../shared/data/* in the project layout):

    python benchmarks/extraction.py [DATA_DIR] [--sets aeb-dev fundus-dev vn-articles-dev vn-listings]
                                    [--folds K] [--json]

Both extractors are scored by ``tasks.scoring`` (the comparison rules of the shared data README)
and timed on the extraction call alone. trafilatura runs as the README measured it:
``favor_precision=True``, metadata on, and its date search asked for time of day and UTC offset
(``extensive_search``, ``original_date``, output format ``%Y-%m-%dT%H:%M:%S%z``); its lead is the
page's description metadata. Both extractors first read one page untimed, so that one-off model,
word-list and import loading is not counted as page time for either. Speed varies with machine load:
compare the two columns of one run, not figures of different runs.

``--folds K`` splits each set by site into K folds (``tasks.scoring.split_folds``: every page of
a site in one fold, the same split on every run) and prints each field per fold, newsetl /
trafilatura in each cell: a rule that helps the sites it was written for and costs the others
shows as a fold that drops.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.read import eval_prediction, read_links  # noqa: E402
from tasks.scoring import (  # noqa: E402
    fold_label,
    fold_rows,
    fold_sites,
    merged,
    read_folder,
    rows,
    score_folder,
    split_folds,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data"
DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def trafilatura_prediction(data: bytes, url: str) -> tuple[dict, dict]:
    """trafilatura's record in the expected-record keys."""
    from trafilatura import bare_extraction

    doc = bare_extraction(data, url=url, favor_precision=True, with_metadata=True, include_comments=False,
                          date_extraction_params=DATE_PARAMS)
    if doc is None:
        return {}, {}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return {"title": doc.title, "authors": authors, "published_at": _date(doc.date), "language": doc.language,
            "lead": doc.description, "body": doc.text}, {}


def _date(value: str | None):
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return value


def warm_up(pages: list, *predictors) -> None:
    """Untimed: every extractor reads the first article page before either is timed, so that one-off
    loading shared by both (imports, JusText word lists, the language model) is charged to neither."""
    article_pages = [p for p in pages if p[2].get("first_items") is None]
    for predictor in predictors:
        if article_pages:
            with contextlib.suppress(Exception):  # the timed run reports errors
                predictor(article_pages[0][1], article_pages[0][2].get("url") or "")


def fold_table(name: str, folds: list, ours: list, theirs: list) -> Table:
    """Each field per fold, ``newsetl / trafilatura`` in every cell (F1 for lead and body, else accuracy)."""
    table = Table(title=f"{name}: {len(folds)} folds by site, newsetl / trafilatura", title_justify="left")
    table.add_column("field")
    for i, fold in enumerate(folds, 1):
        table.add_column(fold_label(i, fold), justify="right")
    table.add_column("all", justify="right")
    theirs_rows = {key: (cells, whole) for key, cells, whole in fold_rows(theirs)}
    for key, cells, whole in fold_rows(ours):
        other_cells, other_whole = theirs_rows.get(key, (["-"] * len(cells), "-"))
        table.add_row(key, *(f"{a} / {b}" for a, b in zip(cells, other_cells, strict=True)),
                      f"{whole} / {other_whole}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA), help="folder holding the dev sets")
    parser.add_argument("--sets", nargs="+", default=["aeb-dev", "fundus-dev", "vn-articles-dev", "vn-listings"])
    parser.add_argument("--folds", type=int, default=0, metavar="K", help="also print each field per fold of sites")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 120)
    results = {}
    for name in args.sets:
        folder = Path(args.data) / name
        if not folder.is_dir():
            console.print(f"{folder}: not found, skipped")
            continue
        pages = read_folder(folder)
        warm_up(pages, eval_prediction, trafilatura_prediction)
        folds = split_folds(pages, args.folds or 1)
        ours_folds = [score_folder(fold, eval_prediction, first_items=read_links) for fold in folds]
        theirs_folds = [score_folder(fold, trafilatura_prediction, first_items=None) for fold in folds]
        ours, theirs = merged(ours_folds), merged(theirs_folds)
        results[name] = {"newsetl": ours.as_dict(), "trafilatura": theirs.as_dict()}
        if args.folds:
            results[name]["folds"] = [{"sites": fold_sites(fold), "newsetl": mine.as_dict(),
                                       "trafilatura": other.as_dict()}
                                      for fold, mine, other in zip(folds, ours_folds, theirs_folds, strict=True)]
        if args.json:
            continue
        table = Table(title=f"{name}: {len(pages)} pages", title_justify="left")
        for column in ("field", "pages", "newsetl", "trafilatura"):
            table.add_column(column, justify="left" if column == "field" else "right")
        theirs_rows = {field: figure for field, _, figure in rows(theirs)}
        for field, pages_scored, figure in rows(ours):
            table.add_row(field, pages_scored, figure, theirs_rows.get(field, "-"))
        console.print(table)
        if args.folds:
            console.print(fold_table(name, folds, ours_folds, theirs_folds))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
