"""The ledger stores normalized, priced usage records in DuckDB."""

from truecost.ledger.store import LEDGER_ENV, Ledger, default_ledger_path, open_ledger

__all__ = ["LEDGER_ENV", "Ledger", "default_ledger_path", "open_ledger"]
