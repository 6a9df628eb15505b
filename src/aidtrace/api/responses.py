"""Answers of the read endpoints kept as the bytes sent, until the next write.

A read endpoint's answer depends on the request and on the data only, and the data change
only with a write (``Database.generation``). So the first 200 answer to a GET of a read
endpoint is kept as its status line, headers and body, and the same path and query string
get those bytes again without running the endpoint: no validation of the query, no
thread for the handler, no response model, no JSON encoding. At a million events that is
most of what a cached flows page or a story page costs (measured ~1 ms of the server's CPU
a request; an events page's top-N query ~20 ms), and it runs on the event loop, so under
load a repeated request does not queue for a worker thread behind the interpreter lock.

What is not kept: anything but a 200, downloads (they stream every matching row), the
review endpoints (a reviewer's queue must follow their own writes at once, and the review
writes check a token) and everything outside ``/api``. Entries are held least recently
used out first within a byte budget per process; after a write none of them is served.
"""
from __future__ import annotations

import re
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .database import Database

# The read endpoints of ``routes``: lists, single records and aggregates, not downloads
# (``/api/events.csv``) nor reviews.
READ_PATHS = re.compile(r"/api/(events|timeline|flows|flows/pairs|stories|actors|stats"
                        r"|events/[^/]+|stories/[^/]+|articles/[^/]+)")
BUDGET = 64 * 1024 * 1024  # bytes of kept bodies per server process
LARGEST = 4 * 1024 * 1024  # a larger answer is not kept: it would push out many small ones


class ResponseCache:
    """ASGI middleware: repeated GETs of a read endpoint answered from kept bytes.

    It runs on the event loop only, one request step at a time, so its dictionary needs no
    lock; the generation read before the endpoint runs is the one the entry is kept under,
    so an answer computed while a write committed is never served after it.
    """

    def __init__(self, app: ASGIApp, db: Database, budget: int = BUDGET) -> None:
        self.app, self.db, self.budget = app, db, budget
        self.generation = db.generation
        self.kept: OrderedDict[tuple[str, bytes], tuple[Message, bytes]] = OrderedDict()
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not READ_PATHS.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        generation = self.db.generation
        if generation != self.generation:  # written since: nothing kept is current
            self.kept.clear()
            self.size, self.generation = 0, generation
        key = (scope["path"], scope["query_string"])
        hit = self.kept.get(key)
        if hit is not None:
            self.kept.move_to_end(key)
            await send(hit[0])
            await send({"type": "http.response.body", "body": hit[1]})
            return
        sent: list[Message] = []

        async def keeping(message: Message) -> None:
            # a 200 whose first body part is the whole body (not a stream), kept before it goes
            # out: the client's next request on the connection may come at once
            if (message["type"] == "http.response.body" and len(sent) == 1 and sent[0]["status"] == 200
                    and not message.get("more_body", False) and len(message.get("body", b"")) <= LARGEST):
                self.keep(key, sent[0], message.get("body", b""), generation)
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keeping)

    def keep(self, key: tuple[str, bytes], start: Message, body: bytes, generation: int) -> None:
        if generation != self.db.generation or generation != self.generation or key in self.kept:
            return
        self.kept[key] = ({"type": start["type"], "status": start["status"], "headers": list(start["headers"])},
                          body)
        self.size += len(body)
        while self.size > self.budget:
            _, (_, dropped) = self.kept.popitem(last=False)
            self.size -= len(dropped)
