"""The host limiter and the address check, as functions: no network at all."""

from __future__ import annotations

import ipaddress
import threading
import time

import pytest

from tasks.errors import HostPaused, PermanentFetchError
from tasks.fetch.hosts import HostLimiter
from tasks.fetch.scope import Scope, address_refusal


def _starts(limiter: HostLimiter, host: str, requests: int, *, connections: int, interval: float,
            hold: float = 0.0) -> list[float]:
    starts: list[float] = []
    lock = threading.Lock()

    def one() -> None:
        with limiter.slot(host, connections=connections, interval=interval, max_wait=5):
            with lock:
                starts.append(time.monotonic())
            time.sleep(hold)

    threads = [threading.Thread(target=one) for _ in range(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(starts)


def test_one_host_is_spaced_by_the_interval_even_from_many_threads():
    starts = _starts(HostLimiter(8), "a.example", 6, connections=4, interval=0.1)
    # The limiter stamps each start; the test reads the clock a little later, after a thread switch
    # that a loaded machine can delay by milliseconds. Without spacing the gaps would be ~0.
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.1 - 0.01


def test_per_host_connections_cap_requests_in_flight():
    in_flight, peak = 0, 0
    lock = threading.Lock()
    limiter = HostLimiter(8)

    def one() -> None:
        nonlocal in_flight, peak
        with limiter.slot("b.example", connections=2, interval=0, max_wait=5):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.05)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_hosts_do_not_wait_for_each_other():
    limiter = HostLimiter(8)
    began = time.monotonic()
    threads = [threading.Thread(target=_starts, args=(limiter, f"h{i}.example", 5),
                                kwargs={"connections": 1, "interval": 0.1}) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - began < 0.4 + 0.3  # 4 hosts in parallel: ~0.4 s, not 1.6 s


def test_retry_after_pauses_the_host_and_a_long_one_refuses_at_once():
    limiter = HostLimiter(8)
    limiter.pause("c.example", 0.2)
    began = time.monotonic()
    with limiter.slot("c.example", connections=1, interval=0, max_wait=5):
        assert time.monotonic() - began >= 0.19
    limiter.pause("c.example", 60)
    with pytest.raises(HostPaused), limiter.slot("c.example", connections=1, interval=0, max_wait=5):
        pass


@pytest.mark.parametrize(("address", "kind"), [
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("127.0.0.1", "loopback"), ("::1", "loopback"),
    ("fe80::1", "link-local"), ("fd00::1", "private"), ("0.0.0.0", "unspecified"),
    ("::ffff:127.0.0.1", "loopback"), ("100.64.0.1", "not a public address"), ("224.0.0.1", "multicast"),
])
def test_non_public_addresses_are_refused(address, kind):
    reason = address_refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


def test_public_addresses_pass_and_allowed_networks_pass():
    assert address_refusal(ipaddress.ip_address("203.162.4.191")) is None
    assert address_refusal(ipaddress.ip_address("2001:4860:4860::8888")) is None
    allowed = (ipaddress.ip_network("127.0.0.1/32"),)
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert "loopback" in address_refusal(ipaddress.ip_address("127.0.0.2"), allowed)


def test_scope_refuses_other_hosts_without_resolving_them():
    scope = Scope(frozenset({"example.vn"}))
    assert "not one of the source's hosts" in scope.refusal("http://evil.example/a")
    assert "not an http(s) URL" in scope.refusal("file:///etc/passwd")
    # a literal loopback address on a listed host is refused by the address check (no DNS, no connection)
    assert "loopback" in Scope(frozenset({"127.0.0.5"})).refusal("http://127.0.0.5/a")


def test_a_name_that_does_not_resolve_is_a_failed_connection_not_a_refusal(monkeypatch):
    import socket

    import tasks.fetch.scope

    def no_such_name(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(tasks.fetch.scope.socket, "getaddrinfo", no_such_name)
    with pytest.raises(PermanentFetchError, match="cannot resolve example.vn") as info:
        Scope(frozenset({"example.vn"})).refusal("http://example.vn/a")
    assert info.value.code == "connection"
