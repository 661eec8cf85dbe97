"""Read a TOML file into a pydantic model, turning every mistake into one ``ConfigError`` line.

The message names the file and the dotted key, quotes the bad value and, for an
unknown key, suggests the closest valid key of the table it sits in.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from truecost.errors import ConfigError

CONFIG_ENV = "TRUECOST_CONFIG"
DEFAULT_CONFIG_NAME = "truecost.toml"

M = TypeVar("M", bound=BaseModel)


def default_config_path() -> Path:
    """Return ``$TRUECOST_CONFIG`` when set, else ``./truecost.toml``; ``--config`` wins over both."""
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env) if from_env else Path(DEFAULT_CONFIG_NAME)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file, raising ``ConfigError`` for a missing file or a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found. Check the path.") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc}.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}. Fix the syntax and try again.") from None


def validate_file(path: Path, raw: dict[str, Any], model: type[M]) -> M:
    """Validate ``raw`` as ``model``, raising ``ConfigError`` with the first problem found."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, model)) from None


def describe_validation_error(path: Path, exc: ValidationError, model: type[BaseModel]) -> str:
    """Turn the first pydantic error into one line naming the file, the key and the fix."""
    errors = exc.errors()
    # An unknown key is often the misspelling behind a "missing" error, so it goes first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        key = str(first["loc"][-1])
        table = _model_at(model, first["loc"][:-1])
        valid = list(table.model_fields) if table is not None else []
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        if close:
            hint = f" Did you mean '{close[0]}'?"
        elif valid:
            hint = f" Valid keys here: {', '.join(valid)}."
        else:
            hint = ""
        return f"{path}: unknown key '{location}'.{hint}"
    if first["type"] == "missing":
        return f"{path}: missing key '{location}'. Add it and try again."
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    repeated = "got " in str(first["msg"])
    shown = (
        f" (got {value!r})"
        if value is not None and not isinstance(value, dict) and not repeated
        else ""
    )
    return f"{path}: invalid value for '{location}': {message}{shown}."


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Follow a pydantic error location through fields, dicts and lists to the table it names."""
    current: Any = model
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        current = _unwrap(current, parts)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any, parts: list[int | str]) -> Any:
    """Strip ``X | None`` and step into ``dict``/``list`` values, consuming their key from ``parts``."""
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (typing.Union, types.UnionType):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        elif origin is typing.Annotated:
            annotation = args[0]
        elif origin in (dict, list) and parts:
            parts.pop(0)
            annotation = args[-1]
        else:
            return annotation
