INSERT INTO news.rejects (run_id, source, url, stage, reason_code, reason, http_status)
VALUES (:run_id, :source, :url, :stage, :reason_code, :reason, :http_status)
