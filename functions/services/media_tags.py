"""The archive's metadata written into a media object's mp4 tags in place, in S3, with mutagen: what
TubeArchivist's resync_metadata writes into each media file (functions.services.metadata_sync runs it).

The object never passes through the function, so a file of any size fits a Lambda: an mp4's tags live in its
`moov` atom, and mutagen changes nothing else (it grows or shrinks `moov` and shifts the chunk offsets inside it).
So the top-level atoms are read with ranged GETs, everything but the media data (`mdat`) is laid into a local
sparse file of the object's layout, mutagen tags that file, and the new object is the old one with its `moov`
replaced: a multipart upload whose unchanged stretches are server-side copies (UploadPartCopy) and whose new
bytes are uploaded. The key, content type, disposition and metadata stay; every read and copy is conditioned on
the object's ETag, so an object changed meanwhile fails the write instead of mixing two versions.
"""

import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from functions.core.settings import get_settings
from functions.storage import aws

TITLE, ARTIST, DATE, DESCRIPTION, SYNOPSIS, COVER = "\xa9nam", "\xa9ART", "\xa9day", "desc", "ldes", "covr"
MIN_PART = 5 * 2**20  # S3's smallest part but the last
MAX_COPY_PART = 5 * 2**30  # S3's largest part
SINGLE_PUT_BYTES = 64 * 2**20  # smaller objects are read and put back whole (s3.upload_file's threshold)
READ_AHEAD = 64 * 1024
PAYLOAD_ATOMS = (b"mdat", b"free", b"skip", b"wide")  # bytes mutagen never reads: only their headers are fetched
MAX_ATOMS = 64  # top-level atoms read before a file is taken for fragmented (thousands of moof/mdat pairs)
ATTRIBUTES_KEPT = ("ContentType", "ContentDisposition", "CacheControl", "ContentEncoding", "ContentLanguage")


class NotTaggable(ValueError):
    """The object is not an mp4 whose tags this can write (not mp4, fragmented, damaged)."""


@dataclass(frozen=True)
class Atom:
    name: bytes
    offset: int
    length: int
    header: int  # 8, or 16 with a 64-bit size

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass(frozen=True)
class Retagged:
    size_before: int
    size_after: int
    changed: bool  # False: the file carried these tags already, nothing was written


def _walk(read, size: int, to_moov: bool = False) -> list[Atom]:
    """The top-level atoms of an mp4 of `size` bytes (`to_moov`: up to its moov); `read(start, end)` gives its
    bytes."""
    atoms: list[Atom] = []
    offset = 0
    while offset + 8 <= size and not (to_moov and atoms and atoms[-1].name == b"moov"):
        if len(atoms) == MAX_ATOMS:
            raise NotTaggable(f"more than {MAX_ATOMS} top-level atoms")
        head = read(offset, min(size, offset + 16))
        length, name = struct.unpack(">I4s", head[:8])
        if offset == 0 and name != b"ftyp":
            raise NotTaggable("not an mp4 (it does not start with an ftyp atom)")
        header = 8
        if length == 1:
            if len(head) < 16:
                raise NotTaggable("truncated atom header")
            (length,), header = struct.unpack(">Q", head[8:16]), 16
        elif length == 0:  # the last atom, to the end of the file
            length = size - offset
        if length < header or offset + length > size:
            raise NotTaggable(f"atom {name!r} at {offset} runs past the end of the file")
        atoms.append(Atom(name, offset, length, header))
        offset += length
    names = {atom.name for atom in atoms}
    if b"moov" not in names:
        raise NotTaggable("not an mp4 (no moov atom)")
    if b"moof" in names:
        raise NotTaggable("a fragmented mp4")
    return atoms


class _Source:
    """The object, read in ranges, all of one version (its ETag). A short read fetches READ_AHEAD bytes, so the
    atom headers and small atoms near each other come in one GET."""

    def __init__(self, key: str):
        self.bucket, self.key = get_settings().media_bucket, key
        self.head = aws.client("s3").head_object(Bucket=self.bucket, Key=key)
        self.size, self.etag = int(self.head["ContentLength"]), self.head["ETag"]
        self.block_start, self.block = 0, b""

    def _get(self, start: int, end: int) -> bytes:
        answer = aws.client("s3").get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end - 1}", IfMatch=self.etag
        )
        return answer["Body"].read()

    def read(self, start: int, end: int) -> bytes:
        end = min(end, self.size)
        if end <= start:
            return b""
        if not (self.block_start <= start and end <= self.block_start + len(self.block)):
            if end - start > READ_AHEAD:
                return self._get(start, end)
            self.block_start, self.block = start, self._get(start, min(self.size, start + READ_AHEAD))
        return self.block[start - self.block_start : end - self.block_start]


def _local_copy(source: _Source, atoms: list[Atom], path: str) -> int:
    """Lay the object's atoms into `path` at their offsets, media data and padding as holes (a sparse file); its
    length. When `moov` comes before media data, the file ends after the next `mdat`'s header: mutagen shifts
    what follows `moov` when it grows, and the rest is copied from the object as it is."""
    moov = next(atom for atom in atoms if atom.name == b"moov")
    later_data = [atom for atom in atoms if atom.name == b"mdat" and atom.offset > moov.offset]
    length = later_data[0].offset + later_data[0].header if later_data else source.size
    with open(path, "wb") as file:
        file.truncate(length)
        for atom in atoms:
            if atom.offset >= length:
                break
            file.seek(atom.offset)
            payload = atom.name in PAYLOAD_ATOMS
            file.write(source.read(atom.offset, atom.offset + atom.header if payload else atom.end))
    return length


def _read_local(path: str):
    def read(start: int, end: int) -> bytes:
        with open(path, "rb") as file:
            file.seek(start)
            return file.read(end - start)

    return read


def _tag(path: str, tags: dict) -> bool:
    """Set `tags` on the mp4 at `path`; whether anything changed."""
    from mutagen import MutagenError
    from mutagen.mp4 import MP4, MP4Cover

    try:
        media = MP4(path)
        if media.tags is None:
            media.add_tags()
        stored = media.tags
        assert stored is not None
        changed = False
        for name, value in tags.items():
            wanted = [MP4Cover(value, imageformat=MP4Cover.FORMAT_JPEG) if name == COVER else value]
            if stored.get(name) != wanted:
                stored[name] = wanted
                changed = True
        if changed:
            media.save()
    except MutagenError as error:
        raise NotTaggable(f"mutagen cannot tag it: {error}") from error
    return changed


def _parts(source: _Source, pieces: list[tuple[int, int] | bytes]) -> Iterator[tuple[int, int] | bytes]:
    """The multipart upload's parts of `pieces` (byte ranges of the object to copy, or new bytes): every part but
    the last at least MIN_PART, copies at most MAX_COPY_PART; short stretches are read and sent as bytes."""
    buffer = bytearray()
    for index, piece in enumerate(pieces):
        if isinstance(piece, bytes):
            buffer += piece
            continue
        start, end = piece
        if buffer and len(buffer) < MIN_PART:
            taken = min(end, start + MIN_PART - len(buffer))
            buffer += source.read(start, taken)
            start = taken
        last = index == len(pieces) - 1
        if end - start < MIN_PART and not (last and end > start and len(buffer) >= MIN_PART):
            buffer += source.read(start, end)
            continue
        if buffer:
            yield bytes(buffer)
            buffer = bytearray()
        count = -(-(end - start) // MAX_COPY_PART)
        step = -(-(end - start) // count)
        for part_start in range(start, end, step):
            yield (part_start, min(end, part_start + step))
    if buffer:
        yield bytes(buffer)


def _kept_attributes(head: dict) -> dict:
    kept = {name: head[name] for name in ATTRIBUTES_KEPT if head.get(name)}
    if head.get("Metadata"):
        kept["Metadata"] = head["Metadata"]
    return kept


def _put_back(source: _Source, pieces: list[tuple[int, int] | bytes], size: int) -> None:
    client = aws.client("s3")
    attributes = _kept_attributes(source.head)
    if size <= SINGLE_PUT_BYTES:
        body = b"".join(piece if isinstance(piece, bytes) else source.read(*piece) for piece in pieces)
        client.put_object(Bucket=source.bucket, Key=source.key, Body=body, **attributes)
        return
    upload = client.create_multipart_upload(Bucket=source.bucket, Key=source.key, **attributes)["UploadId"]
    try:
        done = []
        for number, part in enumerate(_parts(source, pieces), start=1):
            common = {"Bucket": source.bucket, "Key": source.key, "UploadId": upload, "PartNumber": number}
            if isinstance(part, bytes):
                etag = client.upload_part(Body=part, **common)["ETag"]
            else:
                etag = client.upload_part_copy(
                    CopySource={"Bucket": source.bucket, "Key": source.key},
                    CopySourceRange=f"bytes={part[0]}-{part[1] - 1}",
                    CopySourceIfMatch=source.etag,
                    **common,
                )["CopyPartResult"]["ETag"]
            done.append({"PartNumber": number, "ETag": etag})
        client.complete_multipart_upload(
            Bucket=source.bucket, Key=source.key, UploadId=upload, MultipartUpload={"Parts": done}
        )
    except Exception:
        client.abort_multipart_upload(Bucket=source.bucket, Key=source.key, UploadId=upload)
        raise


def retag(key: str, tags: dict) -> Retagged:
    """Write `tags` (mp4 tag names: text, the jpg's bytes for the cover) into the media object `key`; tags not
    named stay. NotTaggable for what is no mp4 this can tag; botocore's ClientError for a missing object."""
    source = _Source(key)
    atoms = _walk(source.read, source.size)
    moov = next(atom for atom in atoms if atom.name == b"moov")
    handle, path = tempfile.mkstemp(suffix=".mp4")
    os.close(handle)
    try:
        length = _local_copy(source, atoms, path)
        if not _tag(path, tags):
            return Retagged(source.size, source.size, changed=False)
        tagged = _walk(_read_local(path), os.path.getsize(path), to_moov=True)
        new_moov = next(atom for atom in tagged if atom.name == b"moov")
        delta = new_moov.length - moov.length
        before = [(a.name, a.length) for a in atoms if a.offset < moov.offset]
        if [(a.name, a.length) for a in tagged if a.offset < new_moov.offset] != before or (
            os.path.getsize(path) != length + delta
        ):
            raise NotTaggable("mutagen changed more than the moov atom")
        moov_bytes = _read_local(path)(new_moov.offset, new_moov.end)
    finally:
        os.remove(path)
    pieces = [(0, moov.offset), moov_bytes, (moov.end, source.size)]
    pieces = [piece for piece in pieces if isinstance(piece, bytes) or piece[1] > piece[0]]
    _put_back(source, pieces, source.size + delta)
    return Retagged(source.size, source.size + delta, changed=True)
