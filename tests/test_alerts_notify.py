"""Notifiers against real servers on loopback: webhook, Slack, SMTP with STARTTLS and login."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from loopback_servers import free_port, http_endpoint, smtp_server
from truecost.notify import DeliveryError, Notification, RetryPolicy, deliver
from truecost.notify.local import JsonLinesNotifier
from truecost.notify.smtp import EmailNotifier, EmailOptions
from truecost.notify.webhook import SlackNotifier, WebhookNotifier, WebhookOptions

MESSAGE = Notification(
    key="budget:org:80%@2026-03",
    title="Budget org at 84.0% of $5,000.00 for 2026-03 ($4,200.00)",
    text="amount: $4,200.00\nbudget: $5,000.00",
    payload={"key": "budget:org:80%@2026-03", "amount_usd": "4200.000000"},
)
NO_WAIT = RetryPolicy(attempts=3, backoff_s=0, timeout_s=5)


def test_webhook_posts_payload_and_secret_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_TOKEN", "Bearer t0ken")
    with http_endpoint() as endpoint:
        monkeypatch.setenv("HOOK_URL", endpoint.url)
        options = WebhookOptions(url_env="HOOK_URL", headers_env={"Authorization": "HOOK_TOKEN"})
        attempts = deliver(WebhookNotifier("hook", options, 5), MESSAGE, NO_WAIT)
    assert attempts == 1
    assert endpoint.bodies == [MESSAGE.payload]
    assert endpoint.headers[0]["Authorization"] == "Bearer t0ken"
    assert endpoint.headers[0]["Content-Type"] == "application/json"


def test_slack_posts_text(monkeypatch: pytest.MonkeyPatch) -> None:
    with http_endpoint() as endpoint:
        monkeypatch.setenv("SLACK_URL", endpoint.url)
        deliver(SlackNotifier("slack", "SLACK_URL", 5), MESSAGE, NO_WAIT)
    assert endpoint.bodies == [{"text": f"*{MESSAGE.title}*\n{MESSAGE.text}"}]


def test_server_error_is_retried_then_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []
    with http_endpoint(status=500) as endpoint:
        monkeypatch.setenv("SLACK_URL", endpoint.url)
        with pytest.raises(DeliveryError, match="HTTP 500") as raised:
            deliver(
                SlackNotifier("slack", "SLACK_URL", 5),
                MESSAGE,
                RetryPolicy(3, 0.5, 5),
                waits.append,
            )
        secret = endpoint.url
    assert len(endpoint.bodies) == 3
    assert raised.value.attempts == 3
    assert waits == [0.5, 1.0]
    assert secret not in caplog.text
    assert "s3cr3t" not in str(raised.value)


def test_client_error_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    with http_endpoint(status=404) as endpoint:
        monkeypatch.setenv("SLACK_URL", endpoint.url)
        with pytest.raises(DeliveryError, match="HTTP 404") as raised:
            deliver(SlackNotifier("slack", "SLACK_URL", 5), MESSAGE, NO_WAIT)
    assert len(endpoint.bodies) == 1
    assert raised.value.retryable is False


def test_unreachable_port_fails_without_url(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook/s3cr3t-token"
    monkeypatch.setenv("SLACK_URL", url)
    with pytest.raises(DeliveryError, match="connection failed") as raised:
        deliver(SlackNotifier("slack", "SLACK_URL", 2), MESSAGE, NO_WAIT)
    assert raised.value.attempts == 3
    assert "s3cr3t" not in str(raised.value)


def test_missing_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_URL", raising=False)
    with pytest.raises(DeliveryError, match="environment variable SLACK_URL is not set"):
        deliver(SlackNotifier("slack", "SLACK_URL", 2), MESSAGE, NO_WAIT)


def test_jsonl_appends_one_line_per_alert(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    notifier = JsonLinesNotifier("file", path)
    notifier.send(MESSAGE)
    notifier.send(MESSAGE)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [MESSAGE.payload, MESSAGE.payload]


def email_options(port: int, cert: Path, **changes: object) -> EmailOptions:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "ca_file": cert,
        "username": "alerts@example.com",
        "password_env": "SMTP_PASSWORD",
        "from_addr": "truecost@example.com",
        "to": ["oncall@example.com", "finance@example.com"],
    }
    values.update(changes)
    return EmailOptions.model_validate(values)


def test_email_over_starttls_with_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "pa55word")
    with smtp_server(tmp_path, "alerts@example.com", "pa55word") as server:
        notifier = EmailNotifier("mail", email_options(server.port, server.cert), 5)
        deliver(notifier, MESSAGE, NO_WAIT)
    assert server.logins == [("LOGIN", "alerts@example.com")]
    [(sender, recipients, content)] = server.messages
    assert sender == "truecost@example.com"
    assert recipients == ["oncall@example.com", "finance@example.com"]
    assert f"Subject: [truecost] {MESSAGE.title}" in content
    assert "amount: $4,200.00" in content


def test_email_wrong_password_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-pa55")
    caplog.set_level(logging.INFO)
    with smtp_server(tmp_path, "alerts@example.com", "pa55word") as server:
        notifier = EmailNotifier("mail", email_options(server.port, server.cert), 5)
        with pytest.raises(
            DeliveryError, match=r"SMTP login as alerts@example\.com failed"
        ) as raised:
            deliver(notifier, MESSAGE, NO_WAIT)
    assert raised.value.attempts == 1
    assert server.messages == []
    assert "wrong-pa55" not in str(raised.value)
    assert "wrong-pa55" not in caplog.text


def test_email_untrusted_certificate_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "pa55word")
    with smtp_server(tmp_path, "alerts@example.com", "pa55word") as server:
        notifier = EmailNotifier("mail", email_options(server.port, server.cert, ca_file=None), 5)
        with pytest.raises(DeliveryError, match=r"TLS with 127\.0\.0\.1 failed"):
            deliver(notifier, MESSAGE, NO_WAIT)
    assert server.messages == []


def test_email_unreachable_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "pa55word")
    notifier = EmailNotifier("mail", email_options(free_port(), tmp_path / "none.pem"), 2)
    with pytest.raises(DeliveryError, match=r"SMTP delivery via 127\.0\.0\.1") as raised:
        deliver(notifier, MESSAGE, NO_WAIT)
    assert raised.value.attempts == 3
