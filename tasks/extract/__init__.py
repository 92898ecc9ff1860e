"""Extract: an article page's text -> an :class:`~tasks.records.ExtractedPage`, what the page prints.

``article`` decides the fields, ``body`` reads the article text, ``page`` holds the
parsed page and its indexed lookups, ``jsonld`` reads structured data leniently,
``titles`` picks the headline among its signals, ``conventions`` knows how news pages
print bylines, datelines and widgets, ``furniture`` holds the vocabulary of what is not
content (menus, share bars, adverts) for both readers, and ``links`` reads a listing
(section) page into article links. Pure: no network, no database, and no later step
(normalising happens after, in ``tasks.normalise``).
"""
