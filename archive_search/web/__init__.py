"""``arch serve``: a local, read-only web page over the archive, for the colleague who will not
use a terminal.

Server-rendered pages (Flask with Jinja2's autoescaping; no JavaScript) over the same library
calls as the ``arch`` commands: :meth:`Archive.search <archive_search.Archive.search>` with
facets (:mod:`archive_search.facets`) and a timeline (:mod:`archive_search.timeline`),
:meth:`~archive_search.Archive.get`, :meth:`~archive_search.Archive.related`,
:meth:`~archive_search.Archive.versions` and :meth:`~archive_search.Archive.names_matching`.
Flask is an optional extra (``pip install 'archive-search[web]'``): importing this package
without it raises ImportError, which ``arch serve`` turns into a one-line message.
"""

from __future__ import annotations

from .app import MAX_PAGE_SIZE, MAX_QUERY_CHARS, Server, create_app, make_server

__all__ = ["MAX_PAGE_SIZE", "MAX_QUERY_CHARS", "Server", "create_app", "make_server"]
