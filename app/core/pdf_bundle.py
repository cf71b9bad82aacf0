"""Many finished PDFs bound into one merged PDF and one ZIP, written to disk as they come.

A print run adds its documents one by one (`PdfBundle.add`): each document's objects are
copied to the merged file at once and the ZIP gets the document as it is, so memory holds one
document at a time whatever the run's size; only the page list and the object offsets (a few
numbers per page) stay until the end, when the page tree, catalogue and cross-reference table
are written. Every document starts on a new page and keeps its own pages exactly as they were
stored ("Page 1 of 2" of an invoice stays true of that invoice); the merged file's page labels
run 1…N across all of them.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
CATALOG, PAGES = 1, 2  # object numbers fixed in advance: pages point to their parent early


class MergedPdfWriter:
    """One PDF written object by object to `stream` from the pages of many PDFs, in order."""

    def __init__(self, stream, *, identifier: str):
        self.stream = stream
        self.identifier = identifier
        self.offsets: list[int | None] = [None, None]  # object n at offsets[n - 1]
        self.pages: list[int] = []
        stream.write(HEADER)

    def _reserve(self) -> int:
        self.offsets.append(None)
        return len(self.offsets)

    def _write_object(self, number: int, obj) -> None:
        self.offsets[number - 1] = self.stream.tell()
        self.stream.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.stream)
        self.stream.write(b"\nendobj\n")

    def add(self, pdf: bytes) -> int:
        """Append every page of `pdf` (a complete PDF file); returns its page count."""
        from pypdf import PdfReader
        from pypdf.generic import IndirectObject, NameObject

        reader = PdfReader(io.BytesIO(pdf))
        numbers: dict[tuple[int, int], int] = {}
        pending: list = []

        def number_of(ref) -> int:
            key = (ref.idnum, ref.generation)
            if key not in numbers:
                numbers[key] = self._reserve()
                pending.append(ref)
            return numbers[key]

        def copy(obj):
            return _renumbered(obj, lambda ref: IndirectObject(number_of(ref), 0, None))

        pages = list(reader.pages)  # inherited attributes (resources, boxes) are on each page
        for page in pages:  # a page's own number first: its annotations point back to it
            ref = page.indirect_reference
            numbers[(ref.idnum, ref.generation)] = self._reserve()
        for page in pages:
            ref = page.indirect_reference
            number = numbers[(ref.idnum, ref.generation)]
            body = copy({key: value for key, value in page.items() if key != "/Parent"})
            body[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
            self._write_object(number, body)
            self.pages.append(number)
        while pending:
            ref = pending.pop()
            self._write_object(numbers[(ref.idnum, ref.generation)], copy(ref.get_object()))
        return len(pages)

    def close(self) -> int:
        """Write the page tree, catalogue, cross-references and trailer; the page count."""
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
        )

        kids = ArrayObject(IndirectObject(n, 0, None) for n in self.pages)
        self._write_object(PAGES, DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"), NameObject("/Kids"): kids,
            NameObject("/Count"): NumberObject(len(self.pages))}))
        decimal = DictionaryObject({NameObject("/S"): NameObject("/D")})
        self._write_object(CATALOG, DictionaryObject({
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): IndirectObject(PAGES, 0, None),
            NameObject("/PageLabels"): DictionaryObject(
                {NameObject("/Nums"): ArrayObject([NumberObject(0), decimal])})}))
        start = self.stream.tell()
        lines = [f"xref\n0 {len(self.offsets) + 1}\n0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self.offsets]
        file_id = hashlib.sha256(self.identifier.encode()).hexdigest()[:32]
        lines.append(f"trailer\n<< /Size {len(self.offsets) + 1} /Root {CATALOG} 0 R "
                     f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{start}\n%%EOF\n")
        self.stream.write("".join(lines).encode())
        return len(self.pages)


def _renumbered(obj, ref):
    """A copy of a direct object with every indirect reference replaced by `ref(reference)`."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if isinstance(obj, IndirectObject):
        return ref(obj)
    if isinstance(obj, StreamObject):
        items = {key: _renumbered(value, ref) for key, value in obj.items()
                 if key != "/Length"}
        return StreamObject.initialize_from_dictionary({**items, "__streamdata__": obj._data})
    if isinstance(obj, dict):
        return DictionaryObject({key: _renumbered(value, ref) for key, value in obj.items()})
    if isinstance(obj, list):
        return ArrayObject(_renumbered(value, ref) for value in obj)
    return obj


class PdfBundle:
    """A merged PDF and a ZIP of the single PDFs, built in `folder` one document at a time."""

    def __init__(self, folder: str | Path, *, identifier: str):
        self.pdf_path = Path(folder) / "merged.pdf"
        self.zip_path = Path(folder) / "documents.zip"
        self._pdf_file = self.pdf_path.open("wb")
        self._merged = MergedPdfWriter(self._pdf_file, identifier=identifier)
        self._zip = zipfile.ZipFile(self.zip_path, "w", compression=zipfile.ZIP_DEFLATED)
        self.pages = 0

    def add(self, name: str, pdf: bytes) -> int:
        """Add one document under `name` (its file name in the ZIP); its page count."""
        pages = self._merged.add(pdf)
        # A fixed date: the same documents make the same ZIP, byte for byte.
        self._zip.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), pdf,
                           compress_type=zipfile.ZIP_DEFLATED)
        self.pages += pages
        return pages

    def close(self) -> None:
        self._merged.close()
        self._pdf_file.close()
        self._zip.close()


def read_chunks(path: str | Path, size: int) -> Iterator[bytes]:
    """A file's bytes in pieces of at most `size` (a stored file goes in pieces, never whole)."""
    with open(path, "rb") as file:
        while chunk := file.read(size):
            yield chunk
