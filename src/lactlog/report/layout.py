"""A table layout that never cuts a word: rows of short values, long texts under their row.

Rich's ``Table`` shrinks every column to fit the terminal and then folds or crops the cells, so
at 80 columns (also the width Rich assumes when stdout is piped) a "Why" column five characters
wide loses words. :class:`RowTable` lays its rows out itself:

1. every column at its natural width (the widest cell or header) when that fits;
2. else *spill* columns (long texts such as the reasons of a verdict) are given at least
   ``Column.min_width`` and word-wrapped inside the column, when that fits;
3. else the spill columns leave the table and are printed under their row, over the whole
   width ("Why: ..."), and *flexible* columns are word-wrapped down to their longest word;
4. only when even that does not fit (a very narrow terminal) cells are folded, which still
   keeps every character.

Nothing is ever replaced by an ellipsis.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

_GAP = 1  # blank cells between two columns
_DETAIL_INDENT = 2


@dataclass(frozen=True)
class Column:
    """One column of a :class:`RowTable`.

    ``flexible``: may be word-wrapped to fit. ``spill``: a long text; moves under the row when
    it cannot have ``min_width`` cells in the table.
    """

    header: str
    justify: Literal["left", "right"] = "left"
    flexible: bool = False
    spill: bool = False
    min_width: int = 24


def _longest_word(text: Text) -> int:
    return max((cell_len(word) for word in text.plain.split()), default=0)


def _natural(texts: Sequence[Text]) -> int:
    return max((max((cell_len(line) for line in t.plain.splitlines()), default=0) for t in texts),
               default=0)


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + _GAP * max(0, len(widths) - 1)


def _shrink(widths: list[int], floors: list[int], limit: int) -> list[int]:
    """Narrow the widest shrinkable column, one cell at a time, until the total fits."""
    widths = list(widths)
    while _total(widths) > limit:
        candidates = [i for i, w in enumerate(widths) if w > floors[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i] - floors[i])
        widths[widest] -= 1
    return widths


class RowTable:
    """Title, header, one line (or a few) per row, details under their row, caption."""

    def __init__(self, columns: Sequence[Column], *, title: str | None = None,
                 caption: str | None = None) -> None:
        self.columns = list(columns)
        self.title = title
        self.caption = caption
        self.rows: list[tuple[list[Text], list[Text]]] = []
        self._lines: dict[int, list[Text]] = {}  # full-width lines before row i

    def add_row(self, *cells: str | Text, details: Sequence[str | Text] = ()) -> None:
        """One row; ``details`` are extra lines printed under it over the whole width."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(([c if isinstance(c, Text) else Text(c) for c in cells],
                          [d if isinstance(d, Text) else Text(d) for d in details]))

    def add_line(self, text: str | Text) -> None:
        """A full-width line between rows (e.g. "… 12 weeks without sessions …")."""
        self._lines.setdefault(len(self.rows), []).append(
            text if isinstance(text, Text) else Text(text, style="dim"))

    def layout(self, width: int) -> tuple[list[int], list[int]]:
        """(indices of the columns kept in the table, their widths) for a terminal width."""
        kept = list(range(len(self.columns)))
        natural = [_natural([Text(self.columns[i].header)] + [r[0][i] for r in self.rows])
                   for i in kept]
        if _total(natural) <= width:
            return kept, natural
        spill_floors = [min(natural[i], max(self.columns[i].min_width, _longest_word_of(self, i)))
                        if self.columns[i].spill else natural[i] for i in kept]
        if _total(spill_floors) <= width:
            return kept, _shrink(natural, spill_floors, width)
        kept = [i for i in kept if not self.columns[i].spill]
        widths = [natural[i] for i in kept]
        floors = [max(cell_len(self.columns[i].header), _longest_word_of(self, i))
                  if self.columns[i].flexible else widths[n] for n, i in enumerate(kept)]
        widths = _shrink(widths, floors, width)
        if _total(widths) > width:  # a very narrow terminal: fold whatever still does not fit
            widths = _shrink(widths, [1] * len(widths), width)
        return kept, widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        kept, widths = self.layout(width)
        spilled = [i for i in range(len(self.columns)) if i not in kept]
        if self.title:
            yield Text(self.title, style="bold")
        header = Table.grid(padding=(0, _GAP, 0, 0), pad_edge=False)
        for i, column_width in zip(kept, widths, strict=True):
            header.add_column(justify=self.columns[i].justify, width=column_width,
                              overflow="fold")
        header.add_row(*(Text(self.columns[i].header, style="bold") for i in kept))
        yield header
        yield Text("─" * min(width, _total(widths)), style="dim")
        for index, (cells, details) in enumerate(self.rows):
            yield from self._lines.get(index, [])
            yield from self._row(console, [cells[i] for i in kept], kept, widths)
            lines = [Text.assemble((f"{self.columns[i].header}: ", "dim"), cells[i])
                     for i in spilled] + details
            for line in lines:
                yield from _indented(console, line, width)
        yield from self._lines.get(len(self.rows), [])
        if self.caption:
            yield Text(self.caption, style="dim")
        yield Text()

    def _row(self, console: Console, cells: list[Text], kept: list[int],
             widths: list[int]) -> Iterator[Segment | Table]:
        """One row: when every cell fits its column on one line, the segments of one line of
        text, each cell padded to its column; else a Rich grid, which wraps and folds. The
        lines are the same, but a grid (or a Text wrapped by the console) costs ~1 ms a row:
        3,605 workouts took 10 s."""
        if any("\n" in c.plain or cell_len(c.plain) > w for c, w in zip(cells, widths)):
            grid = Table.grid(padding=(0, _GAP, 0, 0), pad_edge=False)
            for i, column_width in zip(kept, widths, strict=True):
                grid.add_column(justify=self.columns[i].justify, width=column_width,
                                overflow="fold")
            grid.add_row(*cells)
            yield grid
            return
        line = Text()
        for n, (i, cell, column_width) in enumerate(zip(kept, cells, widths, strict=True)):
            piece = cell.copy()
            piece.align(self.columns[i].justify, column_width)  # padded in the cell's style
            if n:
                line.append(" " * _GAP)
            line.append_text(piece)
        yield from line.render(console)
        yield Segment.line()


def _indented(console: Console, line: Text, width: int) -> Iterator[Segment | Padding]:
    """A detail line under its row, indented and padded to the width as Rich's ``Padding``
    does (in segments: see :meth:`RowTable._row`); a line that must wrap goes through
    ``Padding`` itself."""
    if "\n" in line.plain or _DETAIL_INDENT + cell_len(line.plain) > width:
        yield Padding(line, (0, 0, 0, _DETAIL_INDENT))
        return
    yield from Text.assemble(" " * _DETAIL_INDENT, line).render(console)
    yield Segment(" " * (width - _DETAIL_INDENT - cell_len(line.plain)))  # unstyled, as Padding
    yield Segment.line()


def _longest_word_of(table: RowTable, index: int) -> int:
    texts = [Text(table.columns[index].header)] + [row[0][index] for row in table.rows]
    return max((_longest_word(t) for t in texts), default=0)
