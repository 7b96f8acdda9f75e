"""Putting a move-in's files into the media bucket: parallel, and resumable.

An object the bucket already holds is skipped when its size and the SHA-256 it was stored with (the `sha256`
user metadata every move-in upload carries) match the file. A file larger than one part goes up as a multipart
upload, its parts in parallel; a run that was cut off leaves that upload open, and the next run finishes it: the
parts S3 lists whose size and MD5 (the part's ETag) match the file are kept, the rest are sent, and any other open
upload of the same key is aborted, so nothing is stored twice. boto3's TransferManager cannot take over an open
upload, which is why the parts are sent here.
"""

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from functions.core.settings import get_settings
from functions.storage import aws

PART_SIZE = 8 * 1024 * 1024  # S3 takes parts of 5 MiB or more (but the last)
READ_SIZE = 1024 * 1024
CHECKSUM = "sha256"  # the user metadata key

UPLOADED, RESUMED, SKIPPED = "uploaded", "resumed", "skipped"


@dataclass
class FileUpload:
    """One object to store: from a local file, or from bytes made by the move-in (comment threads)."""

    key: str
    content_type: str
    path: Path | None = None
    data: bytes | None = None

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size  # type: ignore[union-attr]

    def read(self, offset: int, length: int) -> bytes:
        if self.data is not None:
            return self.data[offset : offset + length]
        with open(self.path, "rb") as handle:  # type: ignore[arg-type]
            handle.seek(offset)
            return handle.read(length)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        if self.data is not None:
            digest.update(self.data)
        else:
            with open(self.path, "rb") as handle:  # type: ignore[arg-type]
                while chunk := handle.read(READ_SIZE):
                    digest.update(chunk)
        return digest.hexdigest()


class Uploader:
    """Uploads files, `workers` parts at a time over all files; `on_bytes(n)` is told of every part sent."""

    def __init__(self, workers: int = 8, part_size: int = PART_SIZE, on_bytes: Callable[[int], None] = lambda n: None):
        self.part_size = max(part_size, 5 * 1024 * 1024)
        self.parts = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="move-in-part")
        self.on_bytes = on_bytes
        self.lock = threading.Lock()
        self.bucket = get_settings().media_bucket
        self.s3 = aws.client("s3")

    def close(self) -> None:
        self.parts.shutdown(wait=True)

    def stored(self, key: str) -> dict | None:
        """The object's size and metadata, None when the bucket has no such object."""
        from botocore.exceptions import ClientError

        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def holds(self, key: str, size: int, checksum: str | None) -> bool:
        """Whether the bucket has `key` as a move-in stored it (its checksum recorded) with this size, and with
        this checksum unless None (a file of the source not fetched yet: its size is all there is to compare)."""
        head = self.stored(key)
        if head is None or head["ContentLength"] != size:
            return False
        stored = head.get("Metadata", {}).get(CHECKSUM)
        return stored is not None and (checksum is None or stored == checksum)

    def upload(self, item: FileUpload) -> str:
        """UPLOADED, RESUMED (an open multipart upload finished) or SKIPPED (already stored, the same bytes)."""
        size, checksum = item.size(), item.sha256()
        if self.holds(item.key, size, checksum):
            return SKIPPED
        if size <= self.part_size:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=item.key,
                Body=item.read(0, size),
                ContentType=item.content_type,
                Metadata={CHECKSUM: checksum},
            )
            self.on_bytes(size)
            return UPLOADED
        return self._multipart(item, size, checksum)

    def _open_uploads(self, key: str) -> list[str]:
        found = []
        for page in self.s3.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=key):
            found += [u["UploadId"] for u in page.get("Uploads", []) if u["Key"] == key]
        return found

    def _listed_parts(self, key: str, upload_id: str) -> dict[int, dict]:
        parts = {}
        for page in self.s3.get_paginator("list_parts").paginate(Bucket=self.bucket, Key=key, UploadId=upload_id):
            parts.update({p["PartNumber"]: p for p in page.get("Parts", [])})
        return parts

    def _multipart(self, item: FileUpload, size: int, checksum: str) -> str:
        ranges = [
            (n + 1, offset, min(self.part_size, size - offset))
            for n, offset in enumerate(range(0, size, self.part_size))
        ]
        upload_id, kept = None, {}
        for candidate in self._open_uploads(item.key):
            listed = self._listed_parts(item.key, candidate) if upload_id is None else {}
            matching = {
                number: part["ETag"]
                for number, offset, length in ranges
                if (part := listed.get(number)) is not None
                and part["Size"] == length
                and part["ETag"].strip('"') == hashlib.md5(item.read(offset, length)).hexdigest()
            }
            if upload_id is None and (matching or not listed):
                upload_id, kept = candidate, matching
            else:  # another upload of the key, or one of different bytes: would be stored twice
                self.s3.abort_multipart_upload(Bucket=self.bucket, Key=item.key, UploadId=candidate)
        resumed = upload_id is not None
        if upload_id is None:
            upload_id = self.s3.create_multipart_upload(
                Bucket=self.bucket, Key=item.key, ContentType=item.content_type, Metadata={CHECKSUM: checksum}
            )["UploadId"]

        def send(number: int, offset: int, length: int) -> str:
            body = item.read(offset, length)
            etag = self.s3.upload_part(
                Bucket=self.bucket, Key=item.key, UploadId=upload_id, PartNumber=number, Body=body
            )["ETag"]
            self.on_bytes(length)
            return etag

        futures = {n: self.parts.submit(send, n, o, length) for n, o, length in ranges if n not in kept}
        etags = {**kept, **{n: future.result() for n, future in futures.items()}}
        self.s3.complete_multipart_upload(
            Bucket=self.bucket,
            Key=item.key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etags[n]} for n, _, _ in ranges]},
        )
        return RESUMED if resumed else UPLOADED
