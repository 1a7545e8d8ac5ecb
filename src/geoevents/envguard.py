"""Imports that leave the process environment as it was.

pandera and great-expectations set environment variables when they are first
imported (``SPARK_LOCAL_IP``, ``PYARROW_IGNORE_TIMEZONE``, for Spark and
pandas-on-Spark, which geoevents does not use); a library imported into
somebody else's session leaves ``os.environ`` alone, so what such an import adds
or changes is put back.
"""

from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def environment_kept():
    before = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(before):
            del os.environ[key]
        for key, value in before.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
