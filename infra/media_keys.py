"""The key pairs that sign media URLs for CloudFront (functions/storage/delivery.py), kept by infra/deploy.py.

The private keys live in the stage's secret ytarchive-STAGE-media-key, written here and never by the stack, so
they never appear in a template or a parameter; the public keys go into the template as the parameters of its
two key slots (MediaPublicKeyA/B, both in the distribution's key group). A deploy without the secret makes one
with a fresh key in each slot, slot 0 active. Rotation (`deploy --rotate-media-key`) puts a fresh key into the
slot not in use and marks it pending; the deploy then updates the stack (the key group gets the new public key,
the old one stays) and only after that makes the pending slot active. URLs signed with the old key keep working
until they expire; the slot it occupies is reused only by the next rotation, which is refused within a day.
"""

import json
import time

from functions.storage import cloudfront

SLOTS = ("A", "B")
MIN_ROTATION_SECONDS = 24 * 3600  # far beyond any URL's lifetime (PRESIGN_SECONDS, 900 by default)


class RotationRefused(RuntimeError):
    pass


def secret_name(stage: str) -> str:
    return f"ytarchive-{stage}-media-key"


def _fresh_key(now: float) -> dict:
    private_key, public_key = cloudfront.new_key_pair()
    return {"private_key": private_key, "public_key": public_key, "created": int(now)}


def read(secrets, stage: str) -> dict | None:
    try:
        text = secrets.get_secret_value(SecretId=secret_name(stage))["SecretString"]
    except secrets.exceptions.ResourceNotFoundException:
        return None
    return json.loads(text)


def prepare(secrets, stage: str, rotate: bool = False, now: float | None = None) -> dict:
    """The stage's keys before the stack is updated: made on first use, with a pending slot on rotation."""
    moment = time.time() if now is None else now
    stored = read(secrets, stage)
    if stored is None:
        stored = {"active": 0, "keys": [_fresh_key(moment) for _ in SLOTS], "rotated": int(moment)}
        secrets.create_secret(
            Name=secret_name(stage),
            Description="RSA keys signing CloudFront media URLs (infra/media_keys.py); public halves in the stack",
            SecretString=json.dumps(stored),
        )
        return stored
    if rotate:
        since = moment - stored.get("rotated", 0)
        if since < MIN_ROTATION_SECONDS:
            raise RotationRefused(
                f"the media key was rotated {since / 3600:.1f} h ago; URLs signed with the key a rotation now "
                f"would replace may still be in use (wait {MIN_ROTATION_SECONDS // 3600} h between rotations)"
            )
        pending = 1 - stored["active"]
        stored["keys"][pending] = _fresh_key(moment)
        stored.update(pending=pending, rotated=int(moment))
        secrets.put_secret_value(SecretId=secret_name(stage), SecretString=json.dumps(stored))
    return stored


def parameters(stored: dict) -> dict[str, str]:
    """The template's key slot parameters: each public key and its creation time (which names it)."""
    values = {}
    for slot, key in zip(SLOTS, stored["keys"], strict=True):
        values[f"MediaPublicKey{slot}"] = key["public_key"]
        values[f"MediaKeyCreated{slot}"] = str(key["created"])
    return values


def activate(secrets, stage: str, stored: dict) -> dict:
    """After the stack update: the pending slot (its public key now in the key group) signs from now on."""
    if "pending" not in stored:
        return stored
    stored = {**stored, "active": stored["pending"]}
    del stored["pending"]
    secrets.put_secret_value(SecretId=secret_name(stage), SecretString=json.dumps(stored))
    return stored
