-- Claim a request start at :host for now: granted (one row: the lease to release afterwards) when the host's
-- next start has come, no Retry-After pause runs, and fewer than its connection cap are in flight; no row when
-- not (hosts/wait.sql then says for how long). The interval is the source's :interval, or the Crawl-delay when
-- longer: the caller's (:crawl_delay, NULL when it has not read robots.txt, as for robots.txt itself) or else
-- the one another worker stored; a Crawl-delay means one request at a time. The start is stamped when it is
-- granted, not reserved ahead, so a caller that wakes late never squeezes the next one's gap.
-- The upsert locks the host's row: two workers claiming at once are served one after the other. The times are
-- clock_timestamp(), read once the row is locked: now() is when the statement began, before a wait for that
-- lock, and a start stamped that early would let the next one follow too soon.
INSERT INTO news.host_schedule AS h (host, next_start, crawl_delay, leases, requests, last_start)
VALUES (:host, clock_timestamp() + make_interval(secs => greatest(:interval, coalesce(:crawl_delay, 0))),
        :crawl_delay, ARRAY[clock_timestamp() + make_interval(secs => :lease)], 1, clock_timestamp())
ON CONFLICT (host) DO UPDATE
   SET next_start = clock_timestamp()
                    + make_interval(secs => greatest(:interval, coalesce(:crawl_delay, h.crawl_delay, 0))),
       crawl_delay = coalesce(:crawl_delay, h.crawl_delay),
       leases = ARRAY(SELECT l FROM unnest(h.leases) AS l WHERE l > clock_timestamp())
                || (clock_timestamp() + make_interval(secs => :lease)),
       requests = h.requests + 1,
       last_start = clock_timestamp()
 WHERE h.next_start <= clock_timestamp() AND h.paused_until <= clock_timestamp()
   AND cardinality(ARRAY(SELECT l FROM unnest(h.leases) AS l WHERE l > clock_timestamp()))
       < CASE WHEN coalesce(:crawl_delay, h.crawl_delay, 0) > 0 THEN 1 ELSE :connections END
RETURNING h.leases[cardinality(h.leases)] AS lease
