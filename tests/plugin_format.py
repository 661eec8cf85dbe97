"""A tiny third-party log format, registered through the public importer registry.

Each line is ``id,timestamp,model,input_tokens,output_tokens``; a line ``INTERRUPT``
raises KeyboardInterrupt, to test what an interrupted import leaves behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from truecost.importers import ImportContext, Importer, LineIssue, register
from truecost.record import UsageRecord


class TinyFormat(Importer):
    name = "tiny-test-format"
    description = "five comma-separated fields per line (tests only)"
    detect_priority = 1

    def detect(self, path: Path, head: list[bytes]) -> bool:
        return path.suffix == ".tiny"

    def read(self, path: Path, context: ImportContext) -> Iterator[UsageRecord | LineIssue]:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                text = line.strip()
                if text == "INTERRUPT":
                    raise KeyboardInterrupt
                parts = text.split(",")
                if len(parts) != 5:
                    yield LineIssue(str(path), number, "expected 5 comma-separated fields")
                    continue
                record_id, stamp, model, input_tokens, output_tokens = parts
                yield UsageRecord(
                    id=record_id,
                    timestamp=datetime.fromisoformat(stamp),
                    provider="anthropic",
                    model=model,
                    input_tokens=int(input_tokens),
                    output_tokens=int(output_tokens),
                    feature=context.feature,
                    source_file=str(path),
                    source_line=number,
                    format=self.name,
                )


register(TinyFormat())
