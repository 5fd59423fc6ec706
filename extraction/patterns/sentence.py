"""One sentence's mentions in text order, with the text between them: what every relation rule reads."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extraction.records import Mention

TypeCheck = Callable[[str, str], bool]

# persons joined by commas or "and": "Senators Warner and Thune", "Murphy, Blumenthal, and Lee"
_COORDINATION = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)$")


@dataclass
class SentenceView:
    text: str  # the whole document's text; mentions carry document offsets
    start: int  # the sentence's offsets in the document
    end: int
    mentions: list[Mention]  # resolved mentions of this sentence, by start
    is_a: TypeCheck

    def __post_init__(self) -> None:
        self.mentions = sorted((m for m in self.mentions if m.entity_id is not None), key=lambda m: m.start)
        self._positions = {m.id: i for i, m in enumerate(self.mentions)}
        self._groups = self._person_groups()

    def gap(self, first: Mention, second: Mention) -> str:
        return self.text[first.end : second.start]

    def before(self, mention: Mention, chars: int = 60) -> str:
        return self.text[max(self.start, mention.start - chars) : mention.start]

    def after(self, mention: Mention, chars: int = 60) -> str:
        return self.text[mention.end : min(self.end, mention.end + chars)]

    def kind(self, mention: Mention, cls: str) -> bool:
        return self.is_a(mention.type, cls)

    def index(self, mention: Mention) -> int:
        return self._positions[mention.id]

    def following(self, mention: Mention) -> Mention | None:
        i = self.index(mention)
        return self.mentions[i + 1] if i + 1 < len(self.mentions) else None

    def preceding(self, mention: Mention) -> Mention | None:
        i = self.index(mention)
        return self.mentions[i - 1] if i > 0 else None

    def group(self, mention: Mention) -> list[Mention]:
        """The persons coordinated with this one ("Warner and Thune"), itself included, in text order."""
        return self._groups.get(mention.id, [mention])

    def _person_groups(self) -> dict[str, list[Mention]]:
        groups: dict[str, list[Mention]] = {}
        run: list[Mention] = []
        for mention in self.mentions:
            if not self.is_a(mention.type, "Person"):
                self._close(run, groups)
                run = []
                continue
            if run and not _COORDINATION.match(self.gap(run[-1], mention)):
                self._close(run, groups)
                run = []
            run.append(mention)
        self._close(run, groups)
        return groups

    @staticmethod
    def _close(run: list[Mention], groups: dict[str, list[Mention]]) -> None:
        for mention in run:
            groups[mention.id] = list(run)
