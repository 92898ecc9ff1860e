"""``newsetl sources add`` / ``sources check`` as a user runs them: the table they print feeds ``newsetl run``."""

from __future__ import annotations

import tomllib

import pytest

from tests.e2e.test_cli import newsetl, summary_rows
from tests.sites.faults import serve_faults

pytestmark = pytest.mark.e2e

LOOPBACK_OPTIONS = ("--allow-address", "127.0.0.1", "--min-interval", "0.02")


def test_the_table_sources_add_prints_runs_and_checks_clean(sample_sites, warehouse, database_url, prefect_server,
                                                           tmp_path):
    site = sample_sites["tintuc"]
    added = newsetl("sources", "add", site.base + "/", *LOOPBACK_OPTIONS, "--articles", "2", timeout=120)
    assert added.returncode == 0, added.stderr[-2000:]
    table = tomllib.loads(added.stdout)["sources"][0]  # stdout is the table alone: `>> sources.toml` works
    assert table["feeds"] == [site.base + "/feed.atom"] and table["sitemaps"] == [site.base + "/sitemap.xml"]
    assert "2 of 2 sampled articles read" in added.stderr and "signals (provenance)" in added.stderr
    path = tmp_path / "sources.toml"
    path.write_text(added.stdout, encoding="utf-8")

    checked = newsetl("sources", "check", "--sources", str(path), "--articles", "1", timeout=120)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert f"{table['name']}: ok" in checked.stdout

    run = newsetl("run", "--sources", str(path), "--limit", "3",
                  env={**prefect_server.env, "DATABASE_URL": database_url})
    assert run.returncode == 0, run.stderr[-2000:]
    counts = dict(zip(["discovered", "fetched", "new"], summary_rows(run.stdout)[table["name"]][:3], strict=True))
    assert int(counts["discovered"]) >= 18 and counts["new"] == "3"


def test_check_exits_4_naming_the_dead_feed_and_points_out_a_setting_the_pages_contradict(tmp_path):
    with serve_faults(crawl_delay=None) as faults:
        path = tmp_path / "sources.toml"
        toml = faults.source_toml(feeds=("/pages.rss", "/missing.rss"), sitemaps=(), min_interval=0)
        path.write_text(toml.replace('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "UTC"'), encoding="utf-8")
        result = newsetl("sources", "check", "--sources", str(path), "--articles", "1", timeout=120)
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"faults: feed {faults.base}/missing.rss: http_status: HTTP 404" in result.stdout
    assert f"faults: sitemap {faults.base}/sitemap-pages.xml" not in result.stdout  # robots.txt's, read as a run does
    # A setting the pages contradict is pointed out (not a failure: the site may know better).
    assert ("faults: timezone is 'UTC'; the pages suggest 'Asia/Ho_Chi_Minh' (Vietnamese pages; no page printed an "
            "offset)") in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "sources check: 1 of 1 sources do not work: faults"
    assert "Traceback" not in result.stderr


def test_add_exits_4_for_a_site_that_lists_nothing_and_2_for_a_bad_homepage():
    # Port 9 on loopback: nothing listens there.
    dead = newsetl("-q", "sources", "add", "http://127.0.0.1:9/", "--allow-address", "127.0.0.1", timeout=120)
    assert dead.returncode == 4 and dead.stdout == ""
    assert "sources add: found no feed, sitemap or section page listing articles on http://127.0.0.1:9/" \
        in " ".join(dead.stderr.split())
    bad = newsetl("sources", "add", "ftp://127.0.0.1/", timeout=60)
    assert bad.returncode == 2 and "which is not an http(s) URL" in bad.stderr and "Traceback" not in bad.stderr


def test_help_names_the_sources_commands_and_their_options():
    assert "sources" in newsetl("--help").stdout
    add_help = newsetl("sources", "add", "--help").stdout
    assert all(option in add_help for option in ("HOMEPAGE", "--allow-address", "--min-interval", "--articles"))
    assert "--sources" in newsetl("sources", "check", "--help").stdout
