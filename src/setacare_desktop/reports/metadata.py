"""The document properties of every PDF the app writes: Title, Subject, Author, Creator, Keywords
in the Info dictionary, the same values as XMP metadata, and a document id.

Nothing here may carry personal data: the title names the form and its document number (a sheet
number, a district and a day, a period), never a person; the author is the office, never a staff
member. :func:`apply` is called by ``common``'s canvas, so every printout gets it.

The XMP packet repeats the Info values (dc:title, dc:creator, dc:description, pdf:Keywords,
pdf:Producer, xmp:CreatorTool, xmp:CreateDate/ModifyDate/MetadataDate) with the same date as the
Info dictionary, and names the document (xmpMM:DocumentID, a random ``uuid:``) and this rendering
of it (xmpMM:InstanceID). ``pdfa`` adds the PDF/A identification (pdfaid:part 2, conformance B).

:func:`archival_copy` turns a printout into PDF/A-2b for keeping (docs/printing.md says why
reportlab alone cannot): it adds the sRGB OutputIntent (the profile LittleCMS builds, kept as
bytes below) and the PDF/A identification, and has qpdf (pikepdf)
write the file again, which puts the end-of-line before every ``endstream`` that PDF/A requires
and reportlab leaves out.
"""

from __future__ import annotations

import base64
import functools
import io
import uuid
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import XMP

PRODUCT = "SetaCare Desktop"
AUTHOR = "世田谷区 福祉の相談窓口"
_XMP_HEADER = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
_XMP_TRAILER = '<?xpacket end="w"?>'


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a printout says about itself (no personal data)."""

    title: str
    subject: str
    keywords: tuple[str, ...] = ()
    author: str = AUTHOR

    @property
    def keyword_text(self) -> str:
        return "、".join(self.keywords)


def new_document_id() -> str:
    """A fresh document id (``uuid:…``), as XMP writes it."""
    return f"uuid:{uuid.uuid4()}"


def apply(canvas: Any, info: DocumentInfo, *, document_id: str | None = None,
          pdfa: bool = False) -> str:
    """Set ``info`` on a reportlab canvas (Info dictionary and XMP); returns the document id."""
    document_id = document_id or new_document_id()
    canvas.setTitle(info.title)
    canvas.setAuthor(info.author)
    canvas.setSubject(info.subject)
    canvas.setCreator(PRODUCT)
    canvas.setKeywords(info.keyword_text)
    instance_id = new_document_id()

    def packet(doc: Any) -> bytes:
        # bytes: reportlab counts a str stream's /Length in characters, not in UTF-8 bytes
        return xmp_packet(info, doc_date(doc), producer=doc.info.producer,
                          document_id=document_id, instance_id=instance_id, pdfa=pdfa).encode("utf-8")

    metadata = XMP(creator=packet)
    metadata.filters = []  # a metadata stream stays readable (and PDF/A forbids a filter)
    canvas._doc.Catalog.Metadata = metadata
    return document_id


def doc_date(doc: Any) -> str:
    """The document's time stamp (the one reportlab writes as CreationDate) in XMP form."""
    stamp = doc._timeStamp
    yyyy, mm, dd, hh, mi, ss = stamp.YMDhms
    sign = "+" if stamp.dhh >= 0 else "-"
    return (f"{yyyy:04d}-{mm:02d}-{dd:02d}T{hh:02d}:{mi:02d}:{ss:02d}"
            f"{sign}{abs(stamp.dhh):02d}:{stamp.dmm:02d}")


def xmp_packet(info: DocumentInfo, date: str, *, producer: str, document_id: str,
               instance_id: str, pdfa: bool = False) -> str:
    """The XMP packet (RDF/XML) matching the Info dictionary."""
    def e(value: str) -> str:
        return escape(value, {'"': "&quot;"})

    pdfaid = ('\n  <rdf:Description rdf:about="" '
              'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
              '   <pdfaid:part>2</pdfaid:part>\n   <pdfaid:conformance>B</pdfaid:conformance>\n'
              '  </rdf:Description>') if pdfa else ""
    return f"""{_XMP_HEADER}
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(info.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{e(info.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(info.subject)}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{e(producer)}</pdf:Producer>
   <pdf:Keywords>{e(info.keyword_text)}</pdf:Keywords>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{PRODUCT}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
   <xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID>
  </rdf:Description>{pdfaid}
 </rdf:RDF>
</x:xmpmeta>
{_XMP_TRAILER}"""


SRGB_CONDITION = "sRGB IEC61966-2.1"


#: The sRGB ICC profile (v4.4, device class ``mntr``, 588 bytes) that LittleCMS builds:
#: ``ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()`` (Pillow), with the
#: header's creation date fixed to 2026-11-30 so that the bytes do not change. Kept here because
#: the installer leaves Pillow's colour management out (tests compare it with Pillow's).
_SRGB_ICC = (
    "AAACTGxjbXMEQAAAbW50clJHQiBYWVogB+oACwAeAAAAAAAAYWNzcEFQUEwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "APbWAAEAAAAA0y1sY21zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALZGVzYwAA"
    "AQgAAAA2Y3BydAAAAUAAAABMd3RwdAAAAYwAAAAUY2hhZAAAAaAAAAAsclhZWgAAAcwAAAAUYlhZWgAAAeAAAAAUZ1hZ"
    "WgAAAfQAAAAUclRSQwAAAggAAAAgZ1RSQwAAAggAAAAgYlRSQwAAAggAAAAgY2hybQAAAigAAAAkbWx1YwAAAAAAAAAB"
    "AAAADGVuVVMAAAAaAAAAHABzAFIARwBCACAAYgB1AGkAbAB0AC0AaQBuAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAADAA"
    "AAAcAE4AbwAgAGMAbwBwAHkAcgBpAGcAaAB0ACwAIAB1AHMAZQAgAGYAcgBlAGUAbAB5WFlaIAAAAAAAAPbWAAEAAAAA"
    "0y1zZjMyAAAAAAABDEIAAAXe///zJQAAB5MAAP2Q///7of///aIAAAPcAADAblhZWiAAAAAAAABvoAAAOPUAAAOQWFla"
    "IAAAAAAAACSfAAAPhAAAtsNYWVogAAAAAAAAYpcAALeHAAAY2XBhcmEAAAAAAAMAAAACZmYAAPKnAAANWQAAE9AAAApb"
    "Y2hybQAAAAAAAwAAAACj1wAAVHsAAEzNAACZmgAAJmYAAA9c"
)


@functools.cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile of the OutputIntent."""
    return base64.b64decode("".join(_SRGB_ICC))


def archival_copy(pdf: bytes) -> bytes:
    """``pdf`` (a printout of this app) as PDF/A-2b: sRGB OutputIntent, pdfaid in the XMP, the
    file written again by qpdf. Text, fonts, pages and properties are unchanged."""
    import pikepdf  # only when a copy is kept: not on the start-up or printing path

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        profile = pikepdf.Stream(doc, srgb_profile())
        profile.N = 3
        doc.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=SRGB_CONDITION, Info=SRGB_CONDITION,
            RegistryName="http://www.color.org", DestOutputProfile=profile)])
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()
