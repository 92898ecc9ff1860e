-- Claim a WARC file for this run; returns the offset to start reading at, or no row when the file is not
-- to be read: done, truncated with the size it had then, or being read by another live run. A file left
-- 'reading' by a run no longer running (abandoned, failed) is taken over and resumed at its next_offset;
-- a truncated file whose size changed (completed since) is read on from the cut record.
-- The upsert locks the file's row, so two runs claiming one file at once cannot both get it.
INSERT INTO news.warc_files AS f (file, status, size, run_id)
VALUES (:file, 'reading', :size, :run_id)
ON CONFLICT (file) DO UPDATE
   SET status = 'reading', size = EXCLUDED.size, run_id = EXCLUDED.run_id, detail = NULL,
       started_at = now(), finished_at = NULL
 WHERE f.run_id IS NOT DISTINCT FROM EXCLUDED.run_id  -- this run's own retry of the file
    OR (f.status = 'reading'
        AND NOT EXISTS (SELECT 1 FROM news.ingest_runs r WHERE r.id = f.run_id AND r.status = 'running'))
    OR (f.status = 'truncated' AND f.size IS DISTINCT FROM EXCLUDED.size)
RETURNING next_offset
