"""How long a write waits for rows another transaction holds.

Web requests wait `SURVEY_LOCK_TIMEOUT` seconds (set on every PostgreSQL connection in
settings), then are told an import is running (`config.middleware`). A long writer that is
not a web request, the import command above all, must not give up after a few seconds
because a reporter's save held a row a moment: it waits for as long as it takes.
"""

import contextlib

from django.db import connections


@contextlib.contextmanager
def waiting_without_limit(using="default"):
    """Within the block, this connection's writes wait for locks without a time limit.

    PostgreSQL only (SQLite, the demo database, keeps its busy timeout). The setting is
    the session's and is reset after the block, so that a web worker's connection, reused
    by later requests, gets its bound back.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
