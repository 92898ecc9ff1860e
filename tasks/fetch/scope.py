"""Where a source's requests may go: its own hosts, and only public addresses unless it allows others.

A feed or a redirect names URLs we did not choose; without this check a hostile
feed could point the job at ``http://169.254.169.254/`` or an intranet service.
Every hop of every request is checked here before a connection is opened: first
the host against the source's hosts, then each address the name resolves to
against :func:`address_refusal`, a pure function of the IP so that it can be
tested without touching the network.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tasks.config import Source
from tasks.errors import AddressRefused, PermanentFetchError
from tasks.fetch.deadline import cut_off_at_deadline
from tasks.urls import site_host

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_refusal(ip: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why we must not connect to ``ip`` (None when it is fine): a non-public address not explicitly allowed."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in network for network in allowed):
        return None
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"address {ip} is {kind.replace('_', '-')}, not allowed for this source"
    if not ip.is_global:
        return f"address {ip} is not a public address, not allowed for this source"
    return None


DNS_TTL = 60.0  # seconds a name's addresses are reused: a page fetch checks its host more than once
_resolved: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}
_resolved_lock = threading.Lock()


def resolve(host: str, port: int, *, fresh: bool = False) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal IP resolves to itself, without DNS)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    with _resolved_lock:
        cached = _resolved.get((host, port))
    if cached and not fresh and time.monotonic() - cached[0] < DNS_TTL:
        return cached[1]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    with _resolved_lock:
        _resolved[(host, port)] = (time.monotonic(), addresses)
    return addresses


@dataclass(frozen=True)
class Scope:
    """The hosts and address networks one source may reach."""

    hosts: frozenset[str]
    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, source: Source) -> Scope:
        return cls(source.all_hosts, tuple(ipaddress.ip_network(n, strict=False) for n in source.allow_addresses))

    def refusal(self, url: str) -> str | None:
        """Why ``url`` must not be fetched for this source, or None; resolves its host name (DNS).

        A name that does not resolve is no refusal but a failed connection: PermanentFetchError.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"not an http(s) URL: {url[:200]}"
        if site_host(url) not in self.hosts:
            return f"host {site_host(url)} is not one of the source's hosts ({', '.join(sorted(self.hosts))})"
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addresses = resolve(parts.hostname, port)
        except (OSError, ValueError) as exc:
            raise PermanentFetchError("connection", f"cannot resolve {parts.hostname}: {exc}") from None
        for ip in addresses:
            reason = address_refusal(ip, self.allowed)
            if reason:
                return f"{parts.hostname}: {reason}"
        return None


def guarded_adapter(allowed: tuple[IPNetwork, ...] | None) -> HTTPAdapter:
    """A requests adapter whose connections check the address they are about to open, and open that one,
    and whose wait for a response's head ends at the exchange's deadline (``tasks.fetch.deadline``).

    :meth:`Scope.refusal` checks a URL before the request; between that check and the
    connection a hostile DNS server could answer differently (DNS rebinding). These
    connections resolve once more, refuse a non-allowed address, and connect to the
    checked IP itself (TLS still verifies the host name). ``allowed`` None: no address
    check (a fetcher for no source), the deadline still holds.
    """

    def guarded(base: type) -> type:
        class Guarded(base):
            def getresponse(self, *args, **kwargs):
                return cut_off_at_deadline(lambda: self.sock, lambda: base.getresponse(self, *args, **kwargs))

            def _new_conn(self):
                if allowed is None:
                    return super()._new_conn()
                try:
                    addresses = resolve(self._dns_host, self.port, fresh=True)
                except OSError:
                    return super()._new_conn()  # urllib3 reports the resolution failure in its own words
                for ip in addresses:
                    reason = address_refusal(ip, allowed)
                    if reason:
                        raise AddressRefused(f"{self.host}: {reason}")
                name, self._dns_host = self._dns_host, str(addresses[0])
                try:
                    return super()._new_conn()
                finally:
                    self._dns_host = name

        return Guarded

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = guarded(HTTPConnection)

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = guarded(HTTPSConnection)

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    return Adapter()
