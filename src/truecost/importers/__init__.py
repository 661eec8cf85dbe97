"""Importers turn log files into ``UsageRecord`` objects, one registered importer per format."""

from truecost.importers.base import BulkResult, ImportContext, Importer, LineIssue
from truecost.importers.registry import (
    ImportPlan,
    detect_file,
    get_importer,
    importers,
    plan_import,
    register,
)

__all__ = [
    "BulkResult",
    "ImportContext",
    "ImportPlan",
    "Importer",
    "LineIssue",
    "detect_file",
    "get_importer",
    "importers",
    "plan_import",
    "register",
]
