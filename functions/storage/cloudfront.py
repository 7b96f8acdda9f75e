"""CloudFront signed URLs with a canned policy, as CloudFront documents them: the policy
`{"Statement":[{"Resource":"<url>","Condition":{"DateLessThan":{"AWS:EpochTime":<expires>}}}]}` (no blanks) is
signed with the key group's RSA private key (RSA-SHA1, PKCS #1 v1.5), base64 encoded with `+=/` replaced by `-_~`,
and the URL gets `Expires`, `Signature` and `Key-Pair-Id` (the CloudFront public key's id) in its query string.
CloudFront answers 403 to a URL past its expiry, with a changed signature, or signed for another URL.

`invalidate` drops cached copies: an object rewritten in place (functions.services.media_tags) would otherwise be
served for a day (the distribution's default TTL) from ranges of both versions.
"""

import base64
import json
import uuid

URL_SAFE = str.maketrans("+=/", "-_~")


def canned_policy(url: str, expires: int) -> str:
    statement = {"Resource": url, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


def url_safe_b64(data: bytes) -> str:
    return base64.b64encode(data).decode().translate(URL_SAFE)


def load_private_key(pem: str):
    from cryptography.hazmat.primitives import serialization  # only when a URL is signed: cold start

    return serialization.load_pem_private_key(pem.encode(), password=None)


def signed_url(url: str, expires: int, private_key, key_pair_id: str) -> str:
    """`url` (no query of its own a policy would not cover) signed until `expires` (epoch seconds)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = private_key.sign(canned_policy(url, expires).encode(), padding.PKCS1v15(), hashes.SHA1())
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}Expires={expires}&Signature={url_safe_b64(signature)}&Key-Pair-Id={key_pair_id}"


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA 2048 key pair (CloudFront's size) as (private PEM, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private.decode(), public.decode()


def invalidate(paths: list[str]) -> None:
    """Have the media distribution's edges drop `paths` ("/media/*": one path, whatever it matches, and free up
    to CloudFront's 1,000 a month); nothing when the stage has no distribution (the local run)."""
    from functions.core.settings import get_settings
    from functions.storage import aws

    distribution = get_settings().media_distribution_id
    if not distribution or not paths:
        return
    batch = {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": uuid.uuid4().hex}
    aws.client("cloudfront").create_invalidation(DistributionId=distribution, InvalidationBatch=batch)
