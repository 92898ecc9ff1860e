"""The terminal progress display: a bar per source with pages fetched of the total and rejects."""

from __future__ import annotations

import io
import re

from rich.console import Console

from flows import cli
from tasks import progress


def test_a_bar_per_source_shows_fetched_of_total_and_rejects(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=out, force_terminal=True, width=120, color_system=None))
    with cli._progress_bars():
        progress.report("baocantho", total=18)
        progress.report("tintuc", total=19)
        for i in range(18):
            progress.report("baocantho", fetched=1, rejected=int(i == 5))
        progress.report("tintuc", fetched=3)
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "\n", out.getvalue())
    assert re.search(r"baocantho .*18/18 pages\s+1 rejected", screen)
    assert re.search(r"tintuc .*3/19 pages\s+0 rejected", screen)


def test_no_terminal_no_bars_and_reports_cost_nothing(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=out, force_terminal=False))
    with cli._progress_bars():
        progress.report("baocantho", total=3, fetched=1)
    assert out.getvalue() == ""
