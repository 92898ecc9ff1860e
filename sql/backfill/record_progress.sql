-- A batch of the file is loaded: a reading that stops from here on resumes at :next_offset.
UPDATE news.warc_files SET next_offset = :next_offset, records = records + :records WHERE file = :file
