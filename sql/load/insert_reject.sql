INSERT INTO news.rejects (run_id, source, url, stage, reason, http_status)
VALUES (:run_id, :source, :url, :stage, :reason, :http_status)
