"""E-mail over SMTP with STARTTLS and login; the password comes from an environment variable."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from truecost.notify.base import DeliveryError, Notification, redact, secret_from_env
from truecost.notify.registry import NotifierType, register


class EmailOptions(BaseModel):
    """Options of ``type = "email"``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    starttls: bool = True
    # A CA bundle to verify the server with, for a relay whose certificate a private CA signed.
    ca_file: Path | None = None
    username: str | None = None
    password_env: str | None = None
    from_addr: str
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[truecost]"

    @model_validator(mode="after")
    def _login_pair(self) -> EmailOptions:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("give both 'username' and 'password_env' to log in, or neither")
        return self


@dataclass
class EmailNotifier:
    """Send each alert as a plain-text e-mail."""

    name: str
    options: EmailOptions
    timeout_s: float

    def send(self, notification: Notification) -> None:
        password = secret_from_env(self.options.password_env) if self.options.password_env else ""
        try:
            self._send(notification, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP login as {self.options.username} failed ({exc.smtp_code}); "
                f"check the password in {self.options.password_env}",
                retryable=False,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                f"{self.options.host} does not offer STARTTLS (or login); "
                "set starttls = false only for a relay on a trusted network",
                retryable=False,
            ) from None
        except smtplib.SMTPResponseException as exc:
            message = redact(_decode(exc.smtp_error), [password])
            raise DeliveryError(
                f"SMTP server replied {exc.smtp_code}: {message}",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except ssl.SSLError as exc:
            raise DeliveryError(
                f"TLS with {self.options.host} failed: {exc.reason}", retryable=False
            ) from None
        except TimeoutError:
            raise DeliveryError(
                f"{self.options.host}:{self.options.port} gave no response within {self.timeout_s:g} s",
                retryable=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            message = redact(str(exc), [password])
            raise DeliveryError(
                f"SMTP delivery via {self.options.host}:{self.options.port} failed: {message}",
                retryable=True,
            ) from None

    def _send(self, notification: Notification, password: str) -> None:
        options = self.options
        message = EmailMessage()
        message["Subject"] = f"{options.subject_prefix} {notification.title}".strip()
        message["From"] = options.from_addr
        message["To"] = ", ".join(options.to)
        message.set_content(notification.text)
        with smtplib.SMTP(options.host, options.port, timeout=self.timeout_s) as client:
            client.ehlo()
            if options.starttls:
                context = ssl.create_default_context(
                    cafile=str(options.ca_file) if options.ca_file else None
                )
                client.starttls(context=context)
                client.ehlo()
            if options.username is not None:
                client.login(options.username, password)
            client.send_message(message)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _build_email(name: str, options: BaseModel, timeout_s: float) -> EmailNotifier:
    assert isinstance(options, EmailOptions)
    return EmailNotifier(name, options, timeout_s)


register(NotifierType("email", EmailOptions, _build_email))
