"""Fetch: the only way newsetl talks HTTP, and the whole politeness policy.

``client`` holds the :class:`~tasks.fetch.client.Fetcher` every request goes through
(feeds, sitemaps, robots.txt, article pages); ``scope`` decides which hosts and
addresses a source may reach, ``robots`` reads robots.txt, ``hosts`` paces requests
per host across threads, and ``decode`` turns a page's bytes into text. Nothing here
parses HTML or touches the database.
"""
