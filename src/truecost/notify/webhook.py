"""HTTP notifiers: a generic JSON webhook and a Slack-compatible incoming webhook.

Both POST JSON with the standard library's ``urllib``, which honours the usual
``HTTPS_PROXY`` and ``NO_PROXY`` variables. The URL of a Slack incoming webhook
is a secret, so it is read only from an environment variable. A generic webhook
may take its URL from the file (``url``) or the environment (``url_env``), and
header values (such as ``Authorization``) from environment variables.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from truecost.notify.base import DeliveryError, Notification, redact, secret_from_env
from truecost.notify.registry import NotifierType, register

# Statuses worth another attempt: rate limiting and server-side failures.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout_s: float) -> None:
    """POST ``body`` as JSON and raise ``DeliveryError`` unless the server returns 2xx.

    The error names the status or the network failure, never the URL or a header.
    """
    secrets = [url, *headers.values()]
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "truecost", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        retryable = exc.code >= 500 or exc.code in RETRYABLE_STATUSES
        raise DeliveryError(f"the server returned HTTP {exc.code}", retryable=retryable) from None
    except TimeoutError:
        raise DeliveryError(f"no response within {timeout_s:g} s", retryable=True) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(f"no response within {timeout_s:g} s", retryable=True) from None
        reason = redact(str(exc.reason), secrets)
        raise DeliveryError(f"connection failed: {reason}", retryable=True) from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(
            f"request failed: {redact(str(exc), secrets)}", retryable=True
        ) from None


class WebhookOptions(BaseModel):
    """Options of ``type = "webhook"``: where to POST and which headers to add."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    url_env: str | None = None
    headers_env: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_url(self) -> WebhookOptions:
        if (self.url is None) == (self.url_env is None):
            raise ValueError(
                "give exactly one of 'url' and 'url_env' (the variable that contains the URL)"
            )
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError("'url' must start with http:// or https://")
        return self


@dataclass
class WebhookNotifier:
    """POST each alert's JSON document to a URL."""

    name: str
    options: WebhookOptions
    timeout_s: float

    def send(self, notification: Notification) -> None:
        url = self.options.url or secret_from_env(self.options.url_env or "")
        headers = {h: secret_from_env(v) for h, v in self.options.headers_env.items()}
        post_json(url, notification.payload, headers, self.timeout_s)


class SlackOptions(BaseModel):
    """Options of ``type = "slack"``: the environment variable that contains the webhook URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url_env: str


@dataclass
class SlackNotifier:
    """Post ``{"text": ...}`` to a Slack (or Mattermost, Rocket.Chat) incoming webhook."""

    name: str
    url_env: str
    timeout_s: float

    def send(self, notification: Notification) -> None:
        url = secret_from_env(self.url_env)
        text = f"*{notification.title}*\n{notification.text}"
        post_json(url, {"text": text}, {}, self.timeout_s)


def _build_webhook(name: str, options: BaseModel, timeout_s: float) -> WebhookNotifier:
    assert isinstance(options, WebhookOptions)
    return WebhookNotifier(name, options, timeout_s)


def _build_slack(name: str, options: BaseModel, timeout_s: float) -> SlackNotifier:
    assert isinstance(options, SlackOptions)
    return SlackNotifier(name, options.url_env, timeout_s)


register(NotifierType("webhook", WebhookOptions, _build_webhook))
register(NotifierType("slack", SlackOptions, _build_slack))
