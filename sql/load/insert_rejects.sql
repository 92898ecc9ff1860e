-- A batch's rejects in one statement: each array holds one value per reject, in the same order.
INSERT INTO news.rejects (run_id, source, url, stage, reason_code, reason, http_status)
SELECT :run_id, r.source, r.url, r.stage, r.reason_code, r.reason, r.http_status
FROM unnest(CAST(:sources AS text[]), CAST(:urls AS text[]), CAST(:stages AS text[]),
            CAST(:reason_codes AS text[]), CAST(:reasons AS text[]), CAST(:http_statuses AS integer[]))
     AS r (source, url, stage, reason_code, reason, http_status)
