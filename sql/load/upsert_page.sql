INSERT INTO news.pages (source, url, final_url, status, content_type, headers, body_gzip, body_sha256,
                        fetched_at, run_id, warc_file, warc_offset)
VALUES (:source, :url, :final_url, :status, :content_type, CAST(:headers AS jsonb), :body_gzip, :body_sha256,
        :fetched_at, :run_id, :warc_file, :warc_offset)
ON CONFLICT (url) DO UPDATE
   SET final_url = EXCLUDED.final_url, status = EXCLUDED.status, content_type = EXCLUDED.content_type,
       headers = EXCLUDED.headers, body_gzip = EXCLUDED.body_gzip, body_sha256 = EXCLUDED.body_sha256,
       fetched_at = EXCLUDED.fetched_at, run_id = EXCLUDED.run_id,
       warc_file = EXCLUDED.warc_file, warc_offset = EXCLUDED.warc_offset
