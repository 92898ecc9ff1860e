"""Dedupe: which URLs need no fetch, and what each article is to the warehouse.

``exact`` works on URLs and content hashes within a run; ``near`` finds the same story
across sources (MinHash LSH buckets kept in Postgres, confirmed by shingle containment);
``decide`` combines them inside a batch's transaction into one ``DedupeDecision`` per
article (new, updated, unchanged or duplicate; which held row; which story), which the
warehouse writer applies. Nothing here writes a row.
"""
