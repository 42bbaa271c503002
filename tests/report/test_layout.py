"""RowTable: columns at their natural width, long texts in a column or under their row, never cut."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console

from lactlog.report.layout import Column, RowTable

REASON = "fifteen minutes above threshold in six hard intervals"


def _render(table: RowTable, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get().splitlines()


def _table() -> RowTable:
    table = RowTable([Column("When"), Column("Level"), Column("Why", spill=True, min_width=20)],
                     title="T", caption="a caption")
    table.add_row("2026-11-16", "HIGH", REASON)
    return table


def test_natural_widths_when_everything_fits() -> None:
    table = _table()
    # When 10, Level 5 (header), Why 53; 1-cell gaps: 10 + 1 + 5 + 1 + 53 = 70
    assert table.layout(70) == ([0, 1, 2], [10, 5, 53])
    lines = _render(table, 70)
    assert lines[3].rstrip() == f"2026-11-16 HIGH  {REASON}"


def test_spill_column_wraps_inside_the_table_when_its_minimum_fits() -> None:
    # 10 + 1 + 5 + 1 + 20 = 37 fits at 40: Why gets 40 - 17 = 23 cells
    assert _table().layout(40) == ([0, 1, 2], [10, 5, 23])
    words = " ".join(_render(_table(), 40)).split()
    assert all(word in words for word in REASON.split())


def test_spill_column_goes_under_its_row_when_it_does_not_fit() -> None:
    kept, widths = _table().layout(30)
    assert kept == [0, 1] and widths == [10, 5]
    lines = _render(_table(), 30)
    assert lines[3].rstrip() == "2026-11-16 HIGH"
    assert lines[4].startswith("  Why: fifteen minutes")
    assert all(cell_len(line) <= 30 for line in lines)
    words = " ".join(lines).split()
    assert all(word in words for word in REASON.split())


def test_flexible_column_wraps_at_words_down_to_its_longest_word() -> None:
    table = RowTable([Column("Sport", flexible=True), Column("File", spill=True, min_width=8)])
    table.add_row("training (strength_training)", "a-long-file-name.fit")
    # "training (strength_training)" is 28 cells, wider than 25: the file (20) spills, the
    # sport wraps at its space (its longest word, 19, fits)
    assert table.layout(25) == ([0], [25])
    lines = _render(table, 25)
    assert [line.rstrip() for line in lines[2:4]] == ["training", "(strength_training)"]
    # "  File: " + the name is 28 cells: the name goes to the next line, whole
    assert [line.strip() for line in lines[4:6]] == ["File:", "a-long-file-name.fit"]


def test_row_with_wrong_number_of_cells_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        _table().add_row("a", "b")


def test_rows_that_fit_are_the_lines_rich_grids_give_them() -> None:
    # rows whose cells fit their columns are drawn as segments of one line (a Rich grid per row
    # cost ~1 ms); colours, justification and padding must be those the grid gives
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    table = RowTable([Column("When"), Column("Level", justify="right"),
                      Column("Why", spill=True, min_width=30)])
    cells = [("2026-11-16", Text("HIGH", style="bold red"), REASON),
             ("2026-11-17", Text.assemble(("LO", "green"), "W"), "short")]
    for when, level, why in cells:
        table.add_row(when, level, why, details=[Text("detail ", style="dim") + "line"])

    def grid_lines(width: int) -> str:
        kept, widths = table.layout(width)
        console = Console(width=width, force_terminal=True, color_system="standard")
        with console.capture() as capture:
            for row_cells, details in table.rows:
                grid = Table.grid(padding=(0, 1, 0, 0), pad_edge=False)
                for i, w in zip(kept, widths):
                    grid.add_column(justify=table.columns[i].justify, width=w, overflow="fold")
                grid.add_row(*(row_cells[i] for i in kept))
                console.print(grid)
                spilled = [Text.assemble((f"{table.columns[i].header}: ", "dim"), row_cells[i])
                           for i in range(3) if i not in kept]
                for line in spilled + details:
                    console.print(Padding(line, (0, 0, 0, 2)))
        return capture.get()

    for width in (40, 60, 80, 120):
        console = Console(width=width, force_terminal=True, color_system="standard")
        with console.capture() as capture:
            console.print(table)
        body = capture.get().split("\n", 2)[2]  # after the header and the rule
        assert body.removesuffix("\n\n") + "\n" == grid_lines(width), width
