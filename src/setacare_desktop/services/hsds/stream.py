"""HSDS 3.0 JSON read one record at a time, so that a large file never sits whole in memory.

A list (``[ {service}, … ]``) and the paged list (``{"contents": [ … ], "total_items": …}``) are
read element by element with the standard library's ``JSONDecoder.raw_decode`` on a buffer
refilled from the file: the memory an import takes is the records it keeps (as domain records),
not the file and its parsed tree. Anything else (one object, the tabular package as one
object) is parsed whole, within :data:`MAX_RECORD_CHARS`.

No dependency was added for this (``ijson`` would parse token by token in C or Python, but the
records are needed as whole objects anyway for the schema check, and ``raw_decode`` gives
exactly that at the speed of the ``json`` module).
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.files import open_problem

#: One record (or a document that is not a list) parsed whole: at most this many characters.
MAX_RECORD_CHARS = 40 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
_WHITESPACE = " \t\r\n"
_NUMBER_GOES_ON = frozenset("0123456789.eE+-")
_decoder = json.JSONDecoder()


class _Reader:
    """A text buffer over the file, refilled as the parse goes; tracks line and column."""

    def __init__(self, source: IO[bytes], path: Path, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.source, self.path, self.total, self.progress = source, path, total, progress
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf, self.pos, self.eof = "", 0, False
        self.read_bytes = 0
        self.line, self.line_start = 1, 0  # of buf[0]: its line, and that line's start (abs)
        self.offset = 0  # absolute character offset of buf[0]

    def fill(self) -> None:
        chunk = self.source.read(CHUNK_BYTES)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise self.refuse(str(self.path), f"UTF-8 のテキストではありません（"
                                              f"{self.read_bytes + error.start} バイト目）") from None
        self.read_bytes += len(chunk)
        self.eof = not chunk
        self.discard()
        self.buf += text
        if self.progress is not None:
            self.progress(self.read_bytes, self.total)

    def discard(self) -> None:
        done = self.buf[:self.pos]
        newlines = done.count("\n")
        if newlines:
            self.line += newlines
            self.line_start = self.offset + done.rindex("\n") + 1
        self.offset += self.pos
        self.buf, self.pos = self.buf[self.pos:], 0

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                return ""
            self.fill()

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self.syntax(self.pos)
        self.pos += 1

    def value(self) -> object:
        """The JSON value at the current position, read whole."""
        self.peek()
        while True:
            try:
                value, end = _decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self.eof:
                    raise self.syntax(error.pos) from None
                if len(self.buf) - self.pos > MAX_RECORD_CHARS:
                    raise self.refuse(f"{self.path.name}:{self.where(self.pos)}",
                                      f"1 件のレコードが大きすぎます（上限 "
                                      f"{MAX_RECORD_CHARS // (1024 * 1024)}M 文字）") from None
                self.fill()
                continue
            except ValueError:  # an integer of thousands of digits (Python's conversion limit)
                raise self.refuse(str(self.path), "大きすぎる数値があります") from None
            except RecursionError:  # nesting deeper than Python's stack
                raise self.refuse(str(self.path),
                                  "JSON の入れ子（[ や {）が深すぎて読めません") from None
            if not self.eof and isinstance(value, int | float) and (
                    end == len(self.buf) or self.buf[end] in _NUMBER_GOES_ON):
                self.fill()  # "35." may be "35.6" once the next chunk is read
                continue
            self.pos = end
            return value

    def where(self, pos: int) -> str:
        before = self.buf[:pos]
        newlines = before.count("\n")
        if newlines:
            return f"{self.line + newlines}:{pos - before.rindex(chr(10))}"
        return f"{self.line}:{self.offset + pos - self.line_start + 1}"

    def syntax(self, pos: int) -> ValidationError:
        return self.refuse(f"{self.path.name}:{self.where(pos)}", "JSON として読めません")

    @staticmethod
    def refuse(field: str, message: str) -> ValidationError:
        return ValidationError([Problem(field, message)])


def _elements(reader: _Reader, path: str) -> Iterator[tuple[str, object]]:
    reader.take("[")
    if reader.peek() == "]":
        reader.pos += 1
        return
    index = 0
    while True:
        yield f"{path}[{index}]", reader.value()
        index += 1
        reader.discard()  # what is done is let go
        if reader.peek() == ",":
            reader.pos += 1
            continue
        reader.take("]")
        return


def _document(reader: _Reader) -> Iterator[tuple[str, object]]:
    first = reader.peek()
    if first == "":
        raise reader.refuse(str(reader.path), "ファイルが空です")
    if first == "[":
        yield from _elements(reader, "$")
    elif first == "{":
        # Keys one by one: a "contents" list is streamed, other values read whole.
        start = reader.pos
        reader.pos += 1
        whole: dict[str, object] = {}
        streamed = False
        while reader.peek() != "}":
            if whole or streamed:
                reader.take(",")
            key = reader.value()
            if not isinstance(key, str):
                raise reader.syntax(start)
            reader.take(":")
            if key == "contents" and reader.peek() == "[" and not streamed:
                streamed = True
                yield from _elements(reader, "$.contents")
            else:
                whole[key] = reader.value()
        reader.pos += 1
        if not streamed:
            yield "$", whole
    else:
        yield "$", reader.value()
    if reader.peek() != "":
        raise reader.syntax(reader.pos)


def records(path: Path, limit: int, progress: Callable[[int, int], None] | None = None
            ) -> Iterator[tuple[str, object]]:
    """Each record of the JSON file at ``path`` with its JSON path (``$[3]``,
    ``$.contents[3]``, ``$`` for a document that is not a list). A file over ``limit`` bytes
    is refused before it is read; any problem is a ``ValidationError`` naming the file."""
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below, after the generator ends
    except OSError as error:
        reason = open_problem(error)
    else:
        with source:
            info = os.fstat(source.fileno())
            if not stat.S_ISREG(info.st_mode):
                reason = "通常のファイルではありません"
            elif info.st_size > limit:
                reason = f"大きすぎます（上限 {limit // (1024 * 1024)} MB）"
            else:
                yield from _document(_Reader(source, path, info.st_size, progress))
                return
    raise ValidationError([Problem(str(path), f"ファイルを読めません: {path}（{reason}）")])
