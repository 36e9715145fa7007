"""The Japanese font as fixed-layout forms use it: the form's own glyphs (labels, headings,
notices, digits, ASCII) sit in fixed first subsets whose embedded font files are made and
compressed once per process; a document's other glyphs (names, addresses, free text) go into
further subsets made for that document, so every PDF still embeds exactly what it needs.

``FormFont`` is the font ``common.register_font`` registers: a document that does not ask for the
fixed subsets (``start``) gets reportlab's ordinary dynamic subsetting.
"""

from __future__ import annotations

import zlib
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)


class _Formatted(pdfdoc.PDFObject):
    """A PDF value formatted once (it holds no reference, so it is the same in every document)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


class _Template(pdfdoc.PDFObject):
    """A dictionary written from bytes made before and the references of this document."""

    def __init__(self, *parts: bytes | pdfdoc.PDFObject) -> None:
        self.parts = parts

    def format(self, document: Any) -> bytes:
        return b"".join(p if isinstance(p, bytes) else p.format(document) for p in self.parts)


class _Key:
    """A weak-referenceable stand-in for a document while the fixed subsets are assigned."""


class _Fixed:
    """The fixed subsets: glyph assignments and their PDF streams, formatted once."""

    def __init__(self, font: TTFont, text: str) -> None:
        key = _Key()
        font.splitString(text, key)
        state = font.state.pop(key)
        self.assignments: dict[int, int] = dict(state.assignments)
        self.subsets: list[list[int]] = [list(s) for s in state.subsets]
        self.next_code = 256 * len(self.subsets)
        face = font.face
        self.font_files: list[tuple[bytes, bytes, int]] = []  # (raw, compressed, raw length)
        self.cmaps: list[tuple[bytes, bytes]] = []
        self.widths = [_Formatted(pdfdoc.PDFArray([face.getCharWidth(c) for c in subset])
                                  .format(None)) for subset in self.subsets]
        for n, subset in enumerate(self.subsets):
            raw = face.makeSubset(subset)
            self.font_files.append((raw, zlib.compress(raw), len(raw)))
            cmap = makeToUnicodeCMap(_base_name(font, n), subset).encode("latin-1")
            self.cmaps.append((cmap, zlib.compress(cmap)))
        #: The escaped PDF strings of texts made of fixed glyphs only (the same in every document).
        self.encoded: dict[str, list[tuple[int, str]]] = {}


def _pack(program: bytes) -> bytes:
    """A document's own font program, Flate-compressed with run-length matching only: glyph
    outlines hardly repeat, so this is 15 % larger than level 1 and three times as fast (a
    sheet's subset: 25 KB packed to 21.5 KB in 0.1 ms; level 1: 18.7 KB in 0.3 ms)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    return packer.compress(program) + packer.flush()


def _base_name(font: TTFont, n: int) -> str:
    face = font.face
    name: str = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
    return name


def _stream(content: tuple[bytes, bytes], compress: bool, **extra: Any) -> pdfdoc.PDFStream:
    """A stream whose (compressed) bytes were made before: reportlab writes them as they are."""
    stream = pdfdoc.PDFStream()
    raw, packed = content
    stream.content = packed if compress else raw
    if compress:
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    else:
        stream.filters = []
    for name, value in extra.items():
        stream.dictionary[name] = value
    return stream


class FormFont(TTFont):
    """A TTFont that can start a document with the fixed subsets of the forms."""

    _fixed: _Fixed | None = None
    _rest: bytes | None = None

    def _descriptor_rest(self) -> bytes:
        """The font descriptor's entries after FontFile2 (the face's metrics)."""
        if self._rest is None:
            face = self.face
            flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
            entries = pdfdoc.PDFDictionary({
                "Ascent": face.ascent, "CapHeight": face.capHeight, "Descent": face.descent,
                "Flags": flags, "FontBBox": pdfdoc.PDFArray(face.bbox),
                "ItalicAngle": face.italicAngle, "StemV": face.stemV,
                "MissingWidth": face.defaultWidth}).format(None)
            self._rest = b" " + entries[3:]  # without its "<<\n": ends with ">>"
        return self._rest

    def prepare(self, text: str) -> None:
        """Put the glyphs of ``text`` into the fixed subsets (once per process: later calls keep
        the first set, so every document of the process shares the same subsets)."""
        if self._fixed is None:
            self._fixed = _Fixed(self, text)

    def start(self, doc: Any) -> None:
        """Start ``doc`` with the fixed subsets; its other glyphs go into subsets of its own."""
        fixed = self._fixed
        assert fixed is not None, "FormFont.prepare() first"
        state = TTFont.State(self._asciiReadable, self)
        state.assignments = dict(fixed.assignments)
        state.subsets = [list(s) for s in fixed.subsets]
        state.nextCode = fixed.next_code
        state.fixed = len(fixed.subsets)
        self.state[doc] = state

    def encode(self, text: str, doc: Any) -> tuple[list[tuple[int, str]], bool]:
        """``text`` as (subset, escaped PDF string) runs in ``doc``, and whether it is made of
        fixed glyphs only (then the runs are the same in every document started with them)."""
        fixed = self._fixed
        if fixed is not None:
            known = fixed.encoded.get(text)
            if known is not None:
                return known, True
        runs = [(n, escapePDF(b)) for n, b in self.splitString(text, doc)]
        if fixed is not None and all(ord(c) in fixed.assignments or c == "\xa0" for c in text):
            if len(fixed.encoded) < 4096:
                fixed.encoded[text] = runs
            return runs, True
        return runs, False

    def addObjects(self, doc: Any) -> None:
        state = self.state.get(doc)
        fixed_count = getattr(state, "fixed", 0)
        if state is None or not fixed_count or self._fixed is None:
            super().addObjects(doc)
            return
        state.frozen = 1
        compress = bool(doc.compression)
        face = self.face
        fixed = self._fixed
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = _base_name(self, n)
            if n < fixed_count:
                widths = fixed.widths[n].data
                raw, packed, length = fixed.font_files[n]
                cmap = _stream(fixed.cmaps[n], compress)
                program = _stream((raw, packed), compress, Length1=length)
            else:
                widths = f"[{' '.join(fp_str(face.getCharWidth(c)) for c in subset)}]".encode()
                cmap_text = makeToUnicodeCMap(base, subset).encode("latin-1")
                cmap = _stream((cmap_text, zlib.compress(cmap_text, 1) if compress else b""),
                               compress)
                raw = face.makeSubset(subset)
                program = _stream((raw, _pack(raw) if compress else b""), compress,
                                  Length1=len(raw))
            name = base.encode("latin-1")
            descriptor = doc.Reference(_Template(
                b"<<\n/Type /FontDescriptor /FontName /" + name + b" /FontFile2 ",
                doc.Reference(program, f"fontFile:{face.filename}({base})"),
                self._descriptor_rest()), "fontDescriptor:" + base)
            font = _Template(
                f"<<\n/Type /Font /Subtype /TrueType /Name /{internal} /BaseFont /".encode()
                + name + f" /FirstChar 0 /LastChar {len(subset) - 1} /FontDescriptor ".encode(),
                descriptor, b" /ToUnicode ", doc.Reference(cmap, "toUnicodeCMap:" + base),
                b"\n/Widths " + widths + b"\n>>")
            fonts[internal] = doc.Reference(font, internal)
        del self.state[doc]
