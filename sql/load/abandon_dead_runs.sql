-- Runs still 'running' whose process no longer holds their advisory lock (killed, host lost):
-- shown as 'abandoned' instead of running forever. Their committed batches stay; the next run
-- fetches whatever they had not loaded.
UPDATE news.ingest_runs r
   SET status = 'abandoned', finished_at = now(),
       error = 'the process running it stopped without finishing (killed or lost its database connection)'
 WHERE r.status = 'running'
   AND NOT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND l.classid = CAST(:lock_key AS oid) AND l.objid = CAST(r.id AS oid) AND l.objsubid = 2)
RETURNING r.id
