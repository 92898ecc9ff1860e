"""The sources file and the environment: a mistake is named (file, source and key, or variable) before anything runs."""

from dataclasses import fields
from pathlib import Path

import pytest

from tasks.config import Settings, load_sources, settings
from tasks.errors import ConfigError, DatabaseError
from tasks.fetch.client import FetchPolicy
from tasks.urls import listing_page_url

GOOD = """
[[sources]]
name = "baocantho"
title = "Báo Cần Thơ"
homepage = "https://baocantho.com.vn/"
feeds = ["https://baocantho.com.vn/rss/thoi-su.rss"]
sitemaps = ["https://baocantho.com.vn/sitemap.xml"]
language = "vi"
timezone = "Asia/Ho_Chi_Minh"

[[sources]]
name = "vnexpress"
homepage = "https://vnexpress.net/"
feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]
"""

LISTING = 'listings = ["https://vnexpress.net/kinh-doanh"]\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_sources_with_defaults(tmp_path):
    sources = load_sources(write(tmp_path, GOOD))
    assert [s.name for s in sources] == ["baocantho", "vnexpress"]
    assert sources[0].title == "Báo Cần Thơ"
    assert sources[0].feeds == ("https://baocantho.com.vn/rss/thoi-su.rss",)
    assert sources[1].title == "vnexpress" and sources[1].timezone == "UTC"
    assert sources[0].owns("http://www.baocantho.com.vn/a.html")
    assert not sources[0].owns("https://baocantho.com.vn.evil.example/a.html")


def test_only_keeps_named_sources_and_rejects_unknown_names(tmp_path):
    path = write(tmp_path, GOOD)
    assert [s.name for s in load_sources(path, ["vnexpress"])] == ["vnexpress"]
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        load_sources(path, ["nope"])


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace('language = "vi"', 'langauge = "vi"'),
     r"sources.toml: source 'baocantho': unknown key 'langauge'"),
    (GOOD.replace('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Saigon City"'),
     r"source 'baocantho': key 'timezone' is not an IANA time zone"),
    (GOOD.replace('feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]', ""),
     r"source 'vnexpress': needs at least one URL in 'feeds', 'sitemaps' or 'listings'"),
    (GOOD.replace('"https://baocantho.com.vn/rss/thoi-su.rss"', '"ftp://x/rss"'),
     r"source 'baocantho': key 'feeds' has 'ftp://x/rss', which is not an http\(s\) URL"),
    (GOOD.replace('name = "vnexpress"', 'name = "baocantho"'), r"'baocantho' is used more than once"),
    (GOOD.replace('name = "vnexpress"', 'name = "VN Express"'), r"key 'name' must be a short id"),
    (GOOD.replace('name = "vnexpress"\n', ""), r"source #2: missing required key 'name'"),
    (GOOD.replace("[[sources]]\nname = \"vnexpress\"", "[[source]]\nname = \"vnexpress\""),
     r"unknown top-level key 'source'"),
    (GOOD + "\nthis is not toml", r"not valid TOML"),
    ("", r"no \[\[sources\]\] tables found"),
    (GOOD + 'listings = ["/kinh-doanh"]\n', r"source 'vnexpress': key 'listings' has '/kinh-doanh', which is not"),
    (GOOD + "listings = \"https://vnexpress.net/kinh-doanh\"\n", r"source 'vnexpress': key 'listings' must be a list"),
    (GOOD + "pages = 3\n", r"source 'vnexpress': key 'pages' needs 'listings'"),
    (GOOD + LISTING + "pages = 0\n", r"source 'vnexpress': key 'pages' must be between 1 and 50, got 0"),
    (GOOD + LISTING + "pages = true\n", r"source 'vnexpress': key 'pages' must be a int, got bool"),
    (GOOD + LISTING + 'page_url = "{url}/trang-2"\n', r"source 'vnexpress': key 'page_url' must contain \{n\}"),
    (GOOD + LISTING + 'page_url = "{url}/{page}"\n', r"source 'vnexpress': key 'page_url' may use only"),
    (GOOD + LISTING + 'page_url = "/p/{n}"\n', r"source 'vnexpress': key 'page_url' has '/p/2', which is not an"),
    (GOOD + 'date_order = "ymd"\n', r"source 'vnexpress': key 'date_order' must be one of dmy, mdy, got 'ymd'"),
])
def test_mistakes_name_file_source_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_sources(write(tmp_path, text))
    assert str(tmp_path / "sources.toml") in str(info.value)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "absent.toml")


def test_shipped_sources_file_is_valid():
    sources = load_sources(Path(__file__).parents[2] / "sources.toml")
    assert {"baocantho", "vnexpress", "tuoitre", "thanhnien"} <= {s.name for s in sources}
    assert all(s.timezone == "Asia/Ho_Chi_Minh" and s.language == "vi" for s in sources)


def test_url_identity_keys_are_read_and_checked(tmp_path):
    text = GOOD.replace('language = "vi"\n', 'language = "vi"\nmobile_hosts = ["m.baocantho.com.vn"]\n'
                        'amp_paths = true\ntracking_params = ["src"]\n', 1)
    source = load_sources(write(tmp_path, text))[0]
    assert (source.mobile_hosts, source.amp_paths, source.tracking_params) == (("m.baocantho.com.vn",), True, ("src",))
    assert source.owns("https://m.baocantho.com.vn/a.html")
    with pytest.raises(ConfigError, match=r"source 'baocantho': key 'mobile_hosts' must hold host names"):
        load_sources(write(tmp_path, text.replace('"m.baocantho.com.vn"', '"https://m.x/"')))
    with pytest.raises(ConfigError, match=r"source 'baocantho': key 'amp_paths' must be a bool"):
        load_sources(write(tmp_path, text.replace("amp_paths = true", 'amp_paths = "yes"')))


def test_listings_only_source_with_paging(tmp_path):
    text = GOOD.replace('feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]\n',
                        'listings = ["https://vnexpress.net/kinh-doanh", "https://vnexpress.net/the-thao.htm"]\n'
                        'pages = 3\npage_url = "{stem}/p{n}.htm"\n')
    source = load_sources(write(tmp_path, text), ["vnexpress"])[0]
    assert source.feeds == () and source.pages == 3
    assert source.listings == ("https://vnexpress.net/kinh-doanh", "https://vnexpress.net/the-thao.htm")
    assert listing_page_url(source.listings[1], 3, source.page_url) == "https://vnexpress.net/the-thao/p3.htm"
    assert listing_page_url(source.listings[1], 1, source.page_url) == source.listings[1]


def test_politeness_and_scope_keys_have_safe_defaults_and_are_read(tmp_path):
    sources = load_sources(write(tmp_path, GOOD.replace('language = "vi"', (
        'language = "vi"\nhosts = ["static.baocantho.com.vn"]\nallow_addresses = ["10.0.0.0/8"]\n'
        'max_connections = 1\nmin_interval = 2.5'))))
    first, second = sources
    assert (first.max_connections, first.min_interval) == (1, 2.5)
    assert first.allow_addresses == ("10.0.0.0/8",)
    assert first.owns("https://static.baocantho.com.vn/a.jpg") and first.owns("https://baocantho.com.vn/b")
    assert (second.max_connections, second.min_interval, second.allow_addresses) == (2, 1.0, ())


@pytest.mark.parametrize(("line", "message"), [
    ('max_connections = 0', r"key 'max_connections' must be between 1 and 16, got 0"),
    ('min_interval = -1', r"key 'min_interval' must be between 0 and 600 seconds"),
    ('min_interval = "fast"', r"key 'min_interval' must be a number, got str"),
    ('max_connections = true', r"key 'max_connections' must be a int, got bool"),
    ('allow_addresses = ["intranet"]', r"key 'allow_addresses' must hold IP addresses or networks"),
    ('hosts = ["https://x.vn/path"]', r"key 'hosts' must hold host names"),
])
def test_bad_politeness_keys_are_named(tmp_path, line, message):
    with pytest.raises(ConfigError, match=message):
        load_sources(write(tmp_path, GOOD.replace('language = "vi"', f'language = "vi"\n{line}')))


def test_site_profile_selectors_are_read_and_checked(tmp_path):
    profile = GOOD.replace('timezone = "Asia/Ho_Chi_Minh"\n',
                           'timezone = "Asia/Ho_Chi_Minh"\n\n[sources.selectors]\nbody = "div.detail-content"\n'
                           'authors = ".author-name"\n', 1)
    sources = load_sources(write(tmp_path, profile))
    assert sources[0].selectors == (("body", "div.detail-content"), ("authors", ".author-name"))
    assert sources[1].selectors == ()
    with pytest.raises(ConfigError, match="source 'baocantho': unknown selector key 'headline'"):
        load_sources(write(tmp_path, profile.replace("body =", "headline =")))
    with pytest.raises(ConfigError, match="selector 'body' is not valid CSS"):
        load_sources(write(tmp_path, profile.replace('"div.detail-content"', '"div[[["')))


# --- the environment ---------------------------------------------------------------------------------

README = Path(__file__).parents[2] / "README.md"
# Variables in the README's table that newsetl's settings do not read: the tests' conftest, Prefect and
# one command's input (a password is read where it is used, never kept in the settings).
NOT_SETTINGS = {"TEST_DATABASE_URL", "PREFECT_API_URL", "NEWSETL_READER_PASSWORD"}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """An environment with none of the settings' variables set (and a data home of its own)."""
    for setting in fields(Settings):
        monkeypatch.delenv(setting.metadata["env"], raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return monkeypatch


def test_unset_or_empty_variables_keep_the_declared_defaults(environment, tmp_path):
    environment.setenv("NEWSETL_BATCH_SIZE", "")
    environment.setenv("NEWSETL_TIMEOUT", "  ")
    got = settings()
    assert got == Settings()
    assert got.data_dir == tmp_path / "newsetl"
    assert (got.database_url, got.batch_size, got.timeout, got.neardup_threshold, got.tracking_params) == (
        None, 25, 20.0, 0.5, ())


def test_variables_are_read_by_their_declared_types(environment):
    environment.setenv("NEWSETL_BATCH_SIZE", "7")
    environment.setenv("NEWSETL_BACKOFF", "0.05")
    environment.setenv("NEWSETL_RETRIES", "0")
    environment.setenv("NEWSETL_TRACKING_PARAMS", "from, zarsrc2,")
    environment.setenv("NEWSETL_DATA_DIR", "~/elsewhere")
    environment.setenv("DATABASE_URL", "postgresql://etl@db:5432/news")
    got = settings()
    assert (got.batch_size, got.backoff, got.retries, got.tracking_params) == (7, 0.05, 0, ("from", "zarsrc2"))
    assert got.data_dir == Path("~/elsewhere").expanduser() and got.database_url == "postgresql://etl@db:5432/news"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("NEWSETL_BATCH_SIZE", "ten", "environment: NEWSETL_BATCH_SIZE must be a whole number, at least 1, got 'ten'"),
    ("NEWSETL_BATCH_SIZE", "0", "environment: NEWSETL_BATCH_SIZE must be a whole number, at least 1, got '0'"),
    ("NEWSETL_MAX_BYTES", "5MB", "environment: NEWSETL_MAX_BYTES must be a whole number, at least 1, got '5MB'"),
    ("NEWSETL_RETRIES", "-1", "environment: NEWSETL_RETRIES must be a whole number, at least 0, got '-1'"),
    ("NEWSETL_TIMEOUT", "fast", "environment: NEWSETL_TIMEOUT must be a number above 0, got 'fast'"),
    ("NEWSETL_DEADLINE", "0", "environment: NEWSETL_DEADLINE must be a number above 0, got '0'"),
    ("NEWSETL_NEARDUP_THRESHOLD", "1.5",
     "environment: NEWSETL_NEARDUP_THRESHOLD must be a number above 0 and at most 1, got '1.5'"),
    ("NEWSETL_REFETCH_DAYS", "nan", "environment: NEWSETL_REFETCH_DAYS must be a number at least 0, got 'nan'"),
])
def test_a_bad_value_names_its_variable(environment, variable, value, message):
    environment.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        settings()
    assert str(info.value) == message


# Every declared setting whose value is a number; new ones join the test below by being declared.
NUMERIC_SETTINGS = [s for s in fields(Settings) if type(s.default) in (int, float)]


def test_there_are_numeric_settings_to_check():
    assert len(NUMERIC_SETTINGS) >= 12 and "NEWSETL_STATEMENT_TIMEOUT" in {
        s.metadata["env"] for s in NUMERIC_SETTINGS}


@pytest.mark.parametrize("setting", NUMERIC_SETTINGS, ids=lambda s: s.metadata["env"])
def test_every_numeric_setting_given_text_stops_the_command_in_one_line_with_exit_2(environment, capsys, setting):
    from flows.cli import main

    variable = setting.metadata["env"]
    environment.setenv(variable, "abc")
    code = main(["db", "url"])
    out, errors = capsys.readouterr()
    assert code == 2 and out == ""
    (line,) = errors.strip().splitlines()
    assert line.startswith(f"config error: environment: {variable} must be a ") and line.endswith("got 'abc'")


@pytest.mark.parametrize(("url", "why"), [
    ("host=127.0.0.1 dbname=news password=s3cret", "a key=value connection string"),
    ("postgresql://etl:s3cret@127.0.0.1:54x2/news", "the port is not a number"),
    ("postgresql://etl:s3cret@127.0.0.1:70000/news", "the port is not a number"),
    ("postgresql://etl:s3c@ret@127.0.0.1:5432/news", "more than one '@' before the host"),
    ("mysql://etl:s3cret@127.0.0.1/news", "the scheme is mysql://"),
])
def test_a_malformed_database_url_is_a_database_error_that_never_shows_the_password(environment, url, why):
    environment.setenv("DATABASE_URL", url)
    with pytest.raises(DatabaseError) as info:
        settings()
    assert str(info.value).startswith(f"DATABASE_URL is not a database URL ({why}")
    assert "s3c" not in str(info.value)


@pytest.mark.parametrize("url", ["postgresql://etl:p%40ss@127.0.0.1:5432/news", "postgres://etl@localhost/news",
                                 "postgresql+psycopg2://postgres:@/postgres?host=/tmp/pgdata",
                                 "postgresql://etl@[::1]:5432/news"])
def test_well_formed_database_urls_are_taken_as_they_are(environment, url):
    environment.setenv("DATABASE_URL", url)
    assert settings().database_url == url


def test_the_database_url_may_come_from_a_secret_file(environment, tmp_path):
    secret = tmp_path / "database_url"
    secret.write_text("postgresql://etl:s3cret@127.0.0.1:5432/news\n", encoding="utf-8")
    environment.setenv("DATABASE_URL_FILE", str(secret))
    assert settings().database_url == "postgresql://etl:s3cret@127.0.0.1:5432/news"
    environment.setenv("DATABASE_URL", "postgresql://etl@127.0.0.1/news")
    with pytest.raises(ConfigError, match="DATABASE_URL and DATABASE_URL_FILE are both set"):
        settings()


@pytest.mark.parametrize(("content", "error", "message"), [
    (None, ConfigError, "which cannot be read: No such file or directory"),
    ("", DatabaseError, "is empty"),
    ("postgresql://etl:s3c@ret@127.0.0.1/news", DatabaseError, "more than one '@' before the host"),
])
def test_a_bad_secret_file_is_named_without_its_content(environment, tmp_path, content, error, message):
    secret = tmp_path / "database_url"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    environment.setenv("DATABASE_URL_FILE", str(secret))
    with pytest.raises(error) as info:
        settings()
    assert message in str(info.value) and str(secret) in str(info.value) and "s3c" not in str(info.value)


def test_fetch_policy_defaults_are_the_settings_defaults(environment):
    declared = {s.name for s in fields(Settings)}
    assert {f.name for f in fields(FetchPolicy)} <= declared
    assert FetchPolicy() == FetchPolicy.from_settings()
    environment.setenv("NEWSETL_RETRIES", "5")
    assert FetchPolicy.from_settings().retries == 5


def _shown(setting) -> str:
    if setting.metadata["shown"] is not None:
        return setting.metadata["shown"]
    if setting.default in (None, ()):
        return "unset"
    return f"`{setting.default:g}`" if isinstance(setting.default, float) else f"`{setting.default}`"


def test_readme_environment_table_is_the_declaration():
    """The README's table lists every setting as declared (variable, default, meaning), so neither drifts."""
    section = README.read_text(encoding="utf-8").split("### Environment\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(section) if line.startswith("| variable |"))
    table = []
    for line in section[start + 2:]:  # after the header row and its rule
        if not line.startswith("|"):
            break
        table.append(tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
    declared = [(f"`{s.metadata['env']}`", _shown(s), s.metadata["meaning"]) for s in fields(Settings)]
    assert [row for row in table if row[0].strip("`") not in NOT_SETTINGS] == declared
    assert {row[0].strip("`") for row in table} - {s.metadata["env"] for s in fields(Settings)} == NOT_SETTINGS
