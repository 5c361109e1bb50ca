"""The client address the sign-in throttle counts by, with and without proxies in front of the app."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from workup.models import FailedLogin
from workup.throttle import MAX_FAILURES_PER_IP, client_ip, login_failure_record, login_throttled

PEER = "10.0.0.5"  # the socket's peer: behind a proxy, the proxy's own address

# (proxies in front, X-Forwarded-For as it reaches the app or None, address the throttle must count)
CASES = [
    (0, None, PEER),
    (0, "203.0.113.7", PEER),                          # no proxy: a client's header is its own invention
    (1, "203.0.113.7", "203.0.113.7"),                 # one proxy appended the client's address
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),   # the client forged the left part
    (1, "198.51.100.1,203.0.113.7", "203.0.113.7"),
    (1, "not-an-address, 203.0.113.7", "203.0.113.7"),
    (1, "2001:db8::7", "2001:db8::7"),
    (1, "203.0.113.7:51234", "203.0.113.7"),           # some proxies append the port
    (1, None, PEER),                                   # reached the app directly (a health probe)
    (1, "", PEER),
    (1, "garbage", PEER),
    (2, "203.0.113.7, 10.0.0.9", "203.0.113.7"),       # load balancer, then a second proxy
    (2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    (2, "10.0.0.9", PEER),                             # shorter than the proxies configured
]


@pytest.mark.parametrize(("proxies", "forwarded_for", "expected"), CASES)
def test_client_ip_behind_proxies(settings, proxies, forwarded_for, expected):
    settings.PROXY_COUNT = proxies
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=PEER, **headers)
    assert client_ip(request) == expected


def test_client_ip_without_request_is_unknown():
    assert client_ip(None) is None


@pytest.mark.django_db
def test_behind_a_proxy_one_clients_failures_do_not_pause_another(client, settings, radiologist):
    """Behind one load balancer every peer address is the balancer's: count by the forwarded address."""
    settings.PROXY_COUNT = 1
    for n in range(MAX_FAILURES_PER_IP):  # a password-guessing run over many account names
        client.post("/accounts/login/", {"username": f"guess-{n}", "password": "wrong"},
                    REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert FailedLogin.objects.filter(ip_address="203.0.113.7").count() == MAX_FAILURES_PER_IP
    assert login_throttled(username="someone-else", ip_address="203.0.113.7")
    assert not login_throttled(username="rad-ana", ip_address="203.0.113.8")
    response = client.post("/accounts/login/", {"username": "rad-ana", "password": "pw-rad-ana"},
                           REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert response.status_code == 302


@pytest.mark.django_db
def test_failures_from_one_address_do_pause_that_address(settings):
    settings.PROXY_COUNT = 1
    for n in range(MAX_FAILURES_PER_IP):
        login_failure_record(username=f"guess-{n}", ip_address="203.0.113.7")
    assert login_throttled(username="yet-another", ip_address="203.0.113.7")
