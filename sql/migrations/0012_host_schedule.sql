-- Issue 12 (scale out on Prefect workers): the politeness of every host, shared by every process and
-- machine that fetches for this warehouse. The in-process limiter (tasks/fetch/hosts.py) spaces the
-- requests of one process; two workers given the same host would each keep their own spacing and, between
-- them, send twice as often. So a fetcher of a flow run claims each request's start in this table.
--   host         the host as site_host() writes it (lower case, no www., port kept: 127.0.0.2:8080)
--   next_start   no request to the host starts before this (the last start plus its interval)
--   paused_until Retry-After: no request starts before this (a 429/503 answer seen by any worker)
--   crawl_delay  the robots.txt Crawl-delay (seconds, already capped by NEWSETL_MAX_CRAWL_DELAY) last read by
--                any worker; 0 when its robots.txt has none; NULL before one was read
--   leases       one timestamp per request in flight to the host: when its slot frees itself if the
--                process holding it dies (NEWSETL_DEADLINE after the start, plus a margin)
CREATE TABLE news.host_schedule (
    host         text PRIMARY KEY,
    next_start   timestamptz NOT NULL DEFAULT '-infinity',
    paused_until timestamptz NOT NULL DEFAULT '-infinity',
    crawl_delay  double precision CHECK (crawl_delay >= 0),
    leases       timestamptz[] NOT NULL DEFAULT '{}',
    requests     bigint NOT NULL DEFAULT 0,
    last_start   timestamptz,
    paused_at    timestamptz
);

COMMENT ON TABLE news.host_schedule IS 'Politeness per host shared by every worker process and machine: the next allowed request start, a Retry-After pause, the robots.txt Crawl-delay and the requests in flight. Grain: host. Written at every request start; not for analysis.';
COMMENT ON COLUMN news.host_schedule.host IS 'The host as fetched (lower case, without www., with a port when the URL has one).';
COMMENT ON COLUMN news.host_schedule.next_start IS 'No request to the host starts before this: the last start plus the interval (the source''s min_interval, or the Crawl-delay when longer).';
COMMENT ON COLUMN news.host_schedule.paused_until IS 'Retry-After: no request to the host starts before this, whichever worker received the 429 or 503.';
COMMENT ON COLUMN news.host_schedule.crawl_delay IS 'The robots.txt Crawl-delay in seconds (capped by NEWSETL_MAX_CRAWL_DELAY) as last read by any worker; 0 when robots.txt sets none, NULL before it was read.';
COMMENT ON COLUMN news.host_schedule.leases IS 'One entry per request in flight to the host (the per-host connection cap counts them): when its slot frees itself should the process holding it die.';
COMMENT ON COLUMN news.host_schedule.requests IS 'Request starts claimed for the host since the row was created.';
COMMENT ON COLUMN news.host_schedule.last_start IS 'When the latest request start was claimed.';
COMMENT ON COLUMN news.host_schedule.paused_at IS 'When the latest Retry-After pause was recorded.';
