"""Dedupe: which URLs need no fetch, and which articles are copies of others.

``exact`` works on URLs and content hashes within a run; ``near`` finds the same story
across sources (MinHash LSH buckets kept in Postgres, confirmed by shingle containment).
"""
