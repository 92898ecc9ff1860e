-- A request granted by hosts/claim_start.sql has reached :host (its response head is in): the host's next start
-- is at least its interval after now. The claim stamped the start just before the request went out; the
-- moment it actually arrived is later by a round trip and a thread switch, tens of ms on a loaded machine,
-- and the next request, granted on time, would arrive that much closer than the interval.
UPDATE news.host_schedule
   SET next_start = greatest(next_start, clock_timestamp()
                             + make_interval(secs => greatest(:interval, coalesce(crawl_delay, 0))))
 WHERE host = :host
