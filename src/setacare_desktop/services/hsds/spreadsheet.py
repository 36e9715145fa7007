"""The HSDS 3.0 tabular package as one Excel workbook: a sheet per table (``services``,
``phones`` …), the specification's columns in the first row, for the ward to keep contacts
current in Excel and import back.

Written as the CSV package is: every cell is text (the sheet's number format ``@``, so that
Excel keeps a phone's leading 0), except the schema's numbers; a cell a spreadsheet would run
as a formula gets a leading ``'`` (``tabular.neutralised``), taken off again on import.
On import a formula is **never evaluated**: a cell holding one is a problem naming the sheet and
the cell (the workbook is read with ``openpyxl`` without cached values), and nothing is written.

``openpyxl`` is imported inside the functions: it is needed only here, never at start-up.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.hsds import tabular

#: The largest workbook read (compressed; its cells are counted as well).
MAX_XLSX_BYTES = 40 * 1024 * 1024
#: At most this many cells are read from a workbook (a small file can unpack to millions).
MAX_CELLS = 5_000_000


def sheet_name(table: str) -> str:
    """``services.csv`` → ``services`` (Excel allows 31 characters; the longest is 21)."""
    return table.removesuffix(".csv")


def xlsx_bytes(tables: Mapping[str, list[Mapping[str, Any]]]) -> bytes:
    """The workbook of ``tables`` (rows as the CSV export writes them)."""
    from openpyxl import Workbook  # lazily: not on the start-up path

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(sheet_name(name))
        columns = tabular.columns(name)
        kinds = tabular.kinds(name)
        sheet.append(list(columns))
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column)
                if value is None or isinstance(value, dict | list):
                    cells.append(None)
                elif isinstance(value, bool):
                    cells.append(str(value).lower())
                elif isinstance(value, int | float) and kinds.get(column) in ("number",
                                                                              "integer"):
                    cells.append(value)
                else:
                    cells.append(tabular.neutralised(str(value)))
            sheet.append(cells)
        for column_cells in sheet.iter_cols(min_row=1, max_row=sheet.max_row):
            for cell in column_cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
                    cell.number_format = "@"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The tables of the workbook at ``path``, as ``tabular.read_package`` gives a CSV package:
    empty cells left out, numbers as numbers, every other cell as text."""
    from openpyxl import load_workbook  # lazily: not on the start-up path

    from setacare_desktop.services.files import FileReadError, read_file

    try:
        data = read_file(path, limit=MAX_XLSX_BYTES)
    except FileReadError as error:
        raise ValidationError([Problem(str(path), error.message)]) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise ValidationError([Problem(str(path), "Excel（.xlsx）のファイルとして読めません")]
                              ) from None
    problems: list[Problem] = []
    tables: dict[str, list[dict[str, Any]]] = {}
    known = {sheet_name(name): name for name in tabular.table_names()}
    cells = 0
    try:
        for sheet in book.worksheets:
            table = known.get(sheet.title)
            if table is None:
                continue
            kinds = tabular.kinds(table)
            rows = sheet.iter_rows()
            header = [c.value if isinstance(c.value, str) else None for c in next(rows, ())]
            out: list[dict[str, Any]] = []
            for row in rows:
                cells += len(row)
                if cells > MAX_CELLS:
                    raise ValidationError([Problem(str(path), f"セルが多すぎます（上限 "
                                                              f"{MAX_CELLS:,}）")])
                record: dict[str, Any] = {}
                for column, cell in zip(header, row, strict=False):
                    value = cell.value
                    if column is None or value is None or value == "":
                        continue
                    if cell.data_type == "f":
                        problems.append(Problem(f"{sheet.title}!{cell.coordinate}",
                                                "数式は取り込めません（値を入力してください）"))
                        continue
                    if kinds.get(column) in ("number", "integer") and isinstance(
                            value, int | float) and not isinstance(value, bool):
                        record[column] = value
                    else:
                        record[column] = tabular.typed(_text(value), kinds.get(column, "string"))
                if record:
                    out.append(record)
            tables[table] = out
    finally:
        book.close()
    if problems:
        raise ValidationError(problems)
    if not tables:
        raise ValidationError([Problem(str(path), "HSDS の表（services などのシート）がありません")])
    return tables
