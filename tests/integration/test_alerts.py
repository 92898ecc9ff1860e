"""The alert webhook (``tasks.alerts``) against a receiver on 127.0.0.1: what is posted; failures stay warnings."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from tasks import alerts
from tasks.alerts import alert_message, post_alert
from tasks.records import SourceDrift
from tests.sites.receiver import receive_webhooks

DRIFT = SourceDrift("tintuc", ("authors", "published_at"), False, "authors 0% (baseline 100%); published_at 0% "
                    "(baseline 100%)")
STALE = SourceDrift("baocantho", (), True, "nothing new for 72 h (longest gap before: none seen)")


def test_a_healthy_run_has_nothing_to_post():
    assert alert_message(flow="ingest", run_id=3, status="completed", flow_run_id=None, failed=[], drift=[]) is None


def test_the_message_names_the_run_its_failed_sources_with_reasons_and_drifted_sources_with_signals():
    message = alert_message(flow="ingest", run_id=7, status="partial", flow_run_id="f-1",
                            failed=[("offline", "every feed, sitemap and listing failed")], drift=[DRIFT, STALE])
    assert message["run_id"] == 7 and message["status"] == "partial" and message["flow_run_id"] == "f-1"
    assert message["failed_sources"] == [{"source": "offline", "reason": "every feed, sitemap and listing failed"}]
    assert [(d["source"], d["signals"], d["stale"]) for d in message["drifted_sources"]] == [
        ("tintuc", ["authors", "published_at"], False), ("baocantho", [], True)]
    assert message["text"].startswith("newsetl ingest run 7: partial; offline failed entirely: every feed")
    assert "tintuc drifted: authors 0%" in message["text"] and "baocantho stale: nothing new" in message["text"]


def test_a_run_that_stopped_on_an_error_is_posted_with_it():
    message = alert_message(flow="ingest", run_id=8, status="failed", flow_run_id=None, failed=[], drift=[],
                            error="OperationalError: server closed the connection")
    assert message["error"] == "OperationalError: server closed the connection"
    assert message["text"] == "newsetl ingest run 8: failed; OperationalError: server closed the connection"


def test_the_message_is_posted_as_json():
    message = alert_message(flow="ingest", run_id=7, status="partial", flow_run_id=None, failed=[], drift=[DRIFT])
    with receive_webhooks() as receiver:
        assert post_alert(receiver.url, message) is True
    assert receiver.messages == [message] and receiver.paths == ["/hooks/newsetl"]


def test_a_webhook_answering_an_error_is_a_warning(caplog):
    with receive_webhooks(status=500) as receiver, caplog.at_level(logging.WARNING):
        assert post_alert(receiver.url, {"text": "x"}) is False
    assert len(receiver.messages) == 1
    assert "alert webhook answered HTTP 500" in caplog.text


def test_an_unreachable_webhook_is_a_warning_without_its_url(caplog):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with caplog.at_level(logging.WARNING):
        assert post_alert(f"http://127.0.0.1:{port}/services/T0/SECRET", {"text": "x"}) is False
    assert "alert webhook on 127.0.0.1 not reached: ConnectionError" in caplog.text
    assert "SECRET" not in caplog.text  # a chat webhook's path is its password


def test_a_hanging_webhook_is_given_up_after_the_timeout(caplog, monkeypatch):
    monkeypatch.setattr(alerts, "ALERT_TIMEOUT", 0.3)
    with receive_webhooks(delay=3) as receiver, caplog.at_level(logging.WARNING):
        started = time.monotonic()
        assert post_alert(receiver.url, {"text": "x"}) is False
        waited = time.monotonic() - started
    assert waited < 2.5, waited
    assert "not reached: ReadTimeout" in caplog.text


@pytest.mark.parametrize("value", ["ftp://example.org/hook", "hooks.example.org/x", "http://"])
def test_a_webhook_that_is_not_an_http_url_is_a_config_error(value, monkeypatch):
    from tasks.config import settings
    from tasks.errors import ConfigError

    monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK", value)
    with pytest.raises(ConfigError, match="NEWSETL_ALERT_WEBHOOK must be an http:// or https:// URL"):
        settings()
