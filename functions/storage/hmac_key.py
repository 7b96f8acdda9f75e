"""The deployment's HMAC key, read once per container: it signs Invidious tokens and media URLs."""

import os

_secret: bytes | None = None


def secret_key() -> bytes:
    """`HMAC_KEY` (local run, tests) or the secret `HMAC_SECRET_ID` names (cloud)."""
    global _secret
    if _secret is None:
        if os.environ.get("HMAC_KEY"):
            _secret = os.environ["HMAC_KEY"].encode()
        elif os.environ.get("HMAC_SECRET_ID"):
            import botocore.session

            client = botocore.session.get_session().create_client("secretsmanager")
            _secret = client.get_secret_value(SecretId=os.environ["HMAC_SECRET_ID"])["SecretString"].encode()
        else:
            raise RuntimeError("no HMAC key: set HMAC_KEY or HMAC_SECRET_ID")
    return _secret
