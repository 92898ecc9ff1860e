-- A batch's raw pages in one statement: each array holds one value per page, in the same order, and a
-- URL comes once (the writer keeps the last page of a URL, as upserting them one by one would).
INSERT INTO news.pages (source, url, final_url, status, content_type, headers, body_gzip, body_sha256,
                        fetched_at, run_id, warc_file, warc_offset)
SELECT :source, p.url, p.final_url, p.status, p.content_type, CAST(p.headers AS jsonb), p.body_gzip, p.body_sha256,
       p.fetched_at, :run_id, p.warc_file, p.warc_offset
FROM unnest(CAST(:urls AS text[]), CAST(:final_urls AS text[]), CAST(:statuses AS integer[]),
            CAST(:content_types AS text[]), CAST(:headers AS text[]), CAST(:bodies AS bytea[]),
            CAST(:sha256s AS text[]), CAST(:fetched_ats AS timestamptz[]), CAST(:warc_files AS text[]),
            CAST(:warc_offsets AS bigint[]))
     AS p (url, final_url, status, content_type, headers, body_gzip, body_sha256, fetched_at, warc_file, warc_offset)
ON CONFLICT (url) DO UPDATE
   SET final_url = EXCLUDED.final_url, status = EXCLUDED.status, content_type = EXCLUDED.content_type,
       headers = EXCLUDED.headers, body_gzip = EXCLUDED.body_gzip, body_sha256 = EXCLUDED.body_sha256,
       fetched_at = EXCLUDED.fetched_at, run_id = EXCLUDED.run_id,
       warc_file = EXCLUDED.warc_file, warc_offset = EXCLUDED.warc_offset
