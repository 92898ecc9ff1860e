-- Why a claim (hosts/claim_start.sql) was not granted: seconds until the host's next start and until its
-- Retry-After pause ends (0 when passed), and its requests in flight (unexpired leases).
SELECT extract(epoch FROM greatest(next_start, clock_timestamp()) - clock_timestamp()) AS spacing,
       extract(epoch FROM greatest(paused_until, clock_timestamp()) - clock_timestamp()) AS paused,
       cardinality(ARRAY(SELECT l FROM unnest(leases) AS l WHERE l > clock_timestamp())) AS in_flight
  FROM news.host_schedule
 WHERE host = :host
