-- Retry-After from :host: no request to it starts, from any worker, for :seconds from now (a longer pause
-- already recorded stays).
INSERT INTO news.host_schedule AS h (host, paused_until, paused_at)
VALUES (:host, clock_timestamp() + make_interval(secs => :seconds), clock_timestamp())
ON CONFLICT (host) DO UPDATE
   SET paused_until = greatest(h.paused_until, EXCLUDED.paused_until), paused_at = clock_timestamp()
