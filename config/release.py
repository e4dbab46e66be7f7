"""Which code computed a cached figure: part of every cache key, so that a deployment that
changes how figures are computed or drawn never serves what the previous code cached (the
cache in Redis outlives the workers; a data version alone would keep old charts for a day)."""

import hashlib
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# What a cached dashboard depends on besides the data.
SOURCES = ("reports", "survey", "departments", "templates/reports", "config/formats", "locale")


def release():
    """`RELEASE` from the environment, or a digest of the sources the cached figures come from."""
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"]
    digest = hashlib.blake2b(digest_size=6)
    for source in SOURCES:
        for path in sorted((BASE_DIR / source).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
