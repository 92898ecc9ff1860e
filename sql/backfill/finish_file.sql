-- The file is read to its end ('done'), or to a record that is cut off ('truncated', next_offset at it).
UPDATE news.warc_files
   SET status = :status, next_offset = :next_offset, records = records + :records, detail = :detail,
       finished_at = now()
 WHERE file = :file
