"""Analyse a system prompt: its tokens, its sections, and the sections that could go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from truecost.savings.tokens import count_tokens

_HEADING = re.compile(r"^(#{1,6})\s+[^:]+$")
_DECORATION = re.compile(r"^[\s\-=*_#~`.|+<>/]*$")
_WORD = re.compile(r"[A-Za-z]{2,}")
# A paragraph counts as a repeat only with this many words; short tags and headings
# repeat by design.
_MIN_REPEAT_WORDS = 5


@dataclass
class Section:
    """A paragraph of the prompt and its token count."""

    text: str
    tokens: int


@dataclass
class PromptAnalysis:
    """Token count of a prompt and the sections that repeat or carry no instruction."""

    tokens: int
    estimate: bool
    sections: int
    repeated: list[Section] = field(default_factory=list)
    empty: list[Section] = field(default_factory=list)

    @property
    def removable_tokens(self) -> int:
        """Return the tokens of repeated and instruction-free sections together."""
        return sum(s.tokens for s in self.repeated) + sum(s.tokens for s in self.empty)


def split_sections(text: str) -> list[str]:
    """Split a prompt into paragraphs separated by blank lines."""
    return [part for part in re.split(r"\n\s*\n", text) if part.strip()]


def analyse_prompt(text: str, provider: str = "openai", model: str = "gpt-4o") -> PromptAnalysis:
    """Count the prompt's tokens and list the sections a shorter prompt could drop.

    A section repeats when the same paragraph (ignoring case and spacing) came before.
    A section carries no instruction when it is only decoration (rules, separators) or a
    Markdown heading with nothing under it before the next heading of its level.
    """
    total = count_tokens(text, provider, model)
    parts = split_sections(text)
    analysis = PromptAnalysis(total.tokens, total.estimate, len(parts))
    seen: set[str] = set()
    for index, part in enumerate(parts):
        key = " ".join(part.lower().split())
        tokens = count_tokens("\n\n" + part, provider, model).tokens
        is_heading = bool(_HEADING.match(part.strip()))
        if key in seen and not is_heading and len(_WORD.findall(part)) >= _MIN_REPEAT_WORDS:
            analysis.repeated.append(Section(part, tokens))
        elif _carries_no_instruction(part, parts[index + 1] if index + 1 < len(parts) else None):
            analysis.empty.append(Section(part, tokens))
        seen.add(key)
    return analysis


def _carries_no_instruction(part: str, following: str | None) -> bool:
    lines = [line for line in part.splitlines() if line.strip()]
    if all(_DECORATION.match(line) for line in lines):
        return True
    heading = _HEADING.match(lines[0].strip()) if len(lines) == 1 else None
    if heading is None:
        return False
    if following is None:
        return True
    # A heading followed by one of its subheadings introduces them; only a heading
    # followed by one of the same or a higher level has nothing under it.
    next_heading = _HEADING.match(following.strip().splitlines()[0])
    return next_heading is not None and len(next_heading.group(1)) <= len(heading.group(1))
