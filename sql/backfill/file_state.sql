-- Why a WARC file was not claimed: its row as it stands.
SELECT status, run_id, next_offset, records, detail FROM news.warc_files WHERE file = :file
