"""Provider parsers of logged API response bodies. Every module here registers its parsers."""

import importlib
import pkgutil

from truecost.importers.providers.registry import (
    BodyError,
    BodyParser,
    find_parser,
    parsers,
    register_parser,
)

__all__ = ["BodyError", "BodyParser", "find_parser", "parsers", "register_parser"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
