-- Issue 11 (the warehouse for analysts): full-text search over title, lead and body.
--
--   news.fold(text)             text folded for matching: lower case, diacritics off (Cần Thơ → can tho,
--                               Đà Nẵng → da nang). With the unaccent extension: its rules, through an
--                               IMMUTABLE wrapper naming the dictionary with its schema (unaccent() itself
--                               is STABLE, because its dictionary could be changed; ours is not). Without
--                               it (pgserver's PostgreSQL 16.2 ships no contrib; a managed server may
--                               refuse CREATE EXTENSION): translate() over the Vietnamese and common Latin
--                               accented letters, upper and lower case, in plain SQL. Either way NFC first,
--                               so a query typed in decomposed form (NFD) folds the same.
--   articles.search_vector      kept by a trigger when the text is written: the 'simple' configuration
--                               (no stemming: Vietnamese syllables are words) over the folded text, then
--                               over the text as written (NFC; a field in plain ASCII only once), title
--                               weight A, lead B, body C. The folded half makes `Can Tho` find
--                               `Cần Thơ`; the half as written lets a query typed with diacritics rank the
--                               articles that spell it so first. Folded half first: positions stop at
--                               16,383, so in a very long body it is the as-written half that loses phrase
--                               positions, not the half every query matches on.
--   articles_search_idx         GIN over it.
--   articles.title_folded       news.fold(title), kept by the same trigger: stored, so that the trigram
--                               check reads it instead of folding every candidate title again.
--   articles_title_trgm_idx     GIN trigram index over title_folded, only with pg_trgm: typos and
--                               partial words in titles (`word_similarity`). Without pg_trgm there is no
--                               typo tolerance: news.search finds words, whole, accent-insensitively.
--   news.search_words           text search configuration for snippets: with unaccent it folds the
--                               document's words, so a snippet highlights `Cần Thơ` for `Can Tho`; without,
--                               it is 'simple' and highlights only words written as typed.
--   news.search(q, ...)         ranked articles with a snippet (below).
--
-- The extensions are used where pg_available_extensions lists them and this user may create them (both
-- are trusted extensions: a database owner may). The setting newsetl.search_extensions = 'off' (e.g.
-- `ALTER DATABASE ... SET newsetl.search_extensions = off`, or libpq options) makes this migration take the
-- plain-SQL path although they are there; the tests use it to check that path on any server.
DO $$
DECLARE
    wanted boolean := coalesce(nullif(current_setting('newsetl.search_extensions', true), ''), 'on') <> 'off';
    extension text;
    unaccent_schema text;
    trgm_schema text;
BEGIN
    IF wanted THEN
        FOREACH extension IN ARRAY ARRAY['unaccent', 'pg_trgm'] LOOP
            IF EXISTS (SELECT FROM pg_available_extensions WHERE name = extension) THEN
                BEGIN
                    EXECUTE format('CREATE EXTENSION IF NOT EXISTS %I', extension);
                EXCEPTION WHEN OTHERS THEN  -- not allowed (insufficient_privilege, no CREATE on the schema)
                    RAISE NOTICE 'extension % not created (%): search goes on without it', extension, SQLERRM;
                END;
            END IF;
        END LOOP;
        SELECT n.nspname INTO unaccent_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'unaccent';
        SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_trgm';
    END IF;

    IF unaccent_schema IS NOT NULL THEN
        EXECUTE format($f$
            CREATE FUNCTION news.fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            RETURN lower(%1$I.unaccent(%2$L::regdictionary, normalize($1, NFC)))
        $f$, unaccent_schema, format('%I.unaccent', unaccent_schema));
        CREATE TEXT SEARCH CONFIGURATION news.search_words (COPY = pg_catalog.simple);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION news.search_words ALTER MAPPING FOR word, hword, hword_part, '
                       'numword, numhword, hword_numpart WITH %I.unaccent, pg_catalog.simple', unaccent_schema);
    ELSE
        -- Each accented letter (precomposed, as NFC leaves it) to its base letter, upper and lower case; the
        -- combining marks NFC could not compose are dropped (translate() drops what has no counterpart).
        -- Checked against lower(unaccent()) letter by letter in tests/integration/test_search.py.
        CREATE FUNCTION news.fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN lower(translate(normalize($1, NFC),
            'àÀáÁảẢãÃạẠăĂằẰắẮẳẲẵẴặẶâÂầẦấẤẩẨẫẪậẬèÈéÉẻẺẽẼẹẸêÊềỀếẾểỂễỄệỆìÌíÍỉỈĩĨịỊòÒóÓỏỎ'
            'õÕọỌôÔồỒốỐổỔỗỖộỘơƠờỜớỚởỞỡỠợỢùÙúÚủỦũŨụỤưƯừỪứỨửỬữỮựỰỳỲýÝỷỶỹỸỵỴđĐäÄåÅāĀąĄçÇ'
            'ćĆčČďĎëËēĒęĘěĚğĞîÎïÏīĪıłŁñÑńŃňŇöÖøØōŌőŐřŘśŚšŠşŞţŢťŤûÛüÜūŪůŮűŰźŹżŻžŽÿŸ'
            || U&'\0300\0301\0302\0303\0304\0306\0307\0308\0309\030A\030B\030C\031B\0323\0327\0328',
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiioooooo'
            'oooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyddaaaaaaaacc'
            'ccccddeeeeeeeeggiiiiiiillnnnnnnoooooooorrssssssttttuuuuuuuuuuzzzzzzyy'));
        CREATE TEXT SEARCH CONFIGURATION news.search_words (COPY = pg_catalog.simple);
    END IF;

    CREATE FUNCTION news.search_document(title text, lead text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('pg_catalog.simple', news.fold(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('pg_catalog.simple', news.fold(coalesce(lead, ''))), 'B')
        || setweight(to_tsvector('pg_catalog.simple', news.fold(coalesce(body, ''))), 'C')
        -- A field in plain ASCII (a byte a character: English, say) is its own folded form: not twice.
        || CASE WHEN octet_length(title) = length(title) THEN ''::tsvector
                ELSE setweight(to_tsvector('pg_catalog.simple', title), 'A') END
        || CASE WHEN lead IS NULL OR octet_length(lead) = length(lead) THEN ''::tsvector
                ELSE setweight(to_tsvector('pg_catalog.simple', lead), 'B') END
        || CASE WHEN octet_length(body) = length(body) THEN ''::tsvector
                ELSE setweight(to_tsvector('pg_catalog.simple', body), 'C') END;

    -- A trigger, not a generated column: PostgreSQL computes a stored generated column again on every
    -- UPDATE of its row, and the load updates rows for other reasons (cluster_id, last_seen_at); the
    -- trigger runs only when the text is written.
    ALTER TABLE news.articles ADD COLUMN search_vector tsvector, ADD COLUMN title_folded text;
    UPDATE news.articles SET search_vector = news.search_document(title, lead, body), title_folded = news.fold(title);
    CREATE FUNCTION news.set_search_vector() RETURNS trigger
    LANGUAGE plpgsql
    AS $t$
    BEGIN
        NEW.search_vector := news.search_document(NEW.title, NEW.lead, NEW.body);
        NEW.title_folded := news.fold(NEW.title);
        RETURN NEW;
    END
    $t$;
    CREATE TRIGGER articles_search_vector BEFORE INSERT OR UPDATE OF title, lead, body, search_vector, title_folded
        ON news.articles FOR EACH ROW EXECUTE FUNCTION news.set_search_vector();
    CREATE INDEX articles_search_idx ON news.articles USING gin (search_vector);

    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX articles_title_trgm_idx ON news.articles USING gin (title_folded %I.gin_trgm_ops)',
                       trgm_schema);
        COMMENT ON INDEX news.articles_title_trgm_idx IS
            'Trigram index (pg_trgm) over the folded title: typos and partial words in titles for news.search.';
    END IF;
    COMMENT ON INDEX news.articles_search_idx IS 'GIN index of search_vector: the full-text search of news.search.';
END
$$;

-- Ranked articles for a query. q is read as a web search box reads it (websearch_to_tsquery): words are
-- all required, "quoted words" must be adjacent (a multi-syllable Vietnamese word: "Cần Thơ"), `or`
-- between alternatives, -word excluded; diacritics may be typed or left out. Rank, highest first:
--   + 4  the article has the query as typed, diacritics included (`Cần Thơ` over `cân tho`, `cần thở`)
--   + 2  its words stand next to each other in the article (syllables of one word, unquoted)
--   + ts_rank over the folded words, scaled into [0, 1) (title weighs more than lead, lead than body)
--   + 1  every full-text hit; then, where pg_trgm is installed and the words found fewer than max_rows,
--        titles similar to the query (a typo: `Can Thow`; a partial word), by word_similarity in [0, 1).
-- Ties: newer first. The snippet is the best passage of lead and body (on one line), the matched words in «».
-- Bounded work: the rank is computed for the `depth` newest matching articles (default 200; and the
-- `depth` newest with the diacritics as typed), so a query that matches half the warehouse costs what
-- one matching 200 articles does; its results are the best of those. Narrow it (more words,
-- source_name, since) or raise depth.
CREATE FUNCTION news.search(q text, source_name text DEFAULT NULL, since timestamptz DEFAULT NULL,
                            max_rows integer DEFAULT 20, depth integer DEFAULT 200)
RETURNS TABLE (id bigint, source text, published_at timestamptz, title text, canonical_url text,
               story_id bigint, rank real, snippet text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_custom_plan  -- each query planned for its words: common ones walk the date index
AS $$
#variable_conflict use_column
DECLARE
    folded_q text := news.fold(coalesce(q, ''));
    folded tsquery := websearch_to_tsquery('pg_catalog.simple', folded_q);
    exact tsquery := websearch_to_tsquery('pg_catalog.simple', normalize(coalesce(q, ''), NFC));
    adjacent tsquery := phraseto_tsquery('pg_catalog.simple', folded_q);
    marks text := 'StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "';
    found integer;
    seen bigint[] := '{}';
BEGIN
    IF btrim(folded_q) = '' OR max_rows < 1 THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH candidates AS MATERIALIZED (
        -- The newest matches of the words as typed, when they carry diacritics (so that `chợ` is not
        -- crowded out by the newest of the far more frequent `cho`), and the newest matches of the folded words.
        (SELECT a.id FROM news.articles a
         WHERE exact::text <> folded::text AND a.search_vector @@ exact
           AND (source_name IS NULL OR a.source = source_name) AND (since IS NULL OR a.published_at >= since)
         ORDER BY a.published_at DESC  -- as the index runs backwards (no tie-break: it would need a sort)
         LIMIT depth)
        UNION
        (SELECT a.id FROM news.articles a
         WHERE a.search_vector @@ folded
           AND (source_name IS NULL OR a.source = source_name) AND (since IS NULL OR a.published_at >= since)
         ORDER BY a.published_at DESC
         LIMIT depth)
    ), hits AS (
        SELECT a.id,
               (1 + CASE WHEN a.search_vector @@ exact THEN 4 ELSE 0 END
                  + CASE WHEN numnode(adjacent) > 1 AND a.search_vector @@ adjacent THEN 2 ELSE 0 END
                  + ts_rank(a.search_vector, folded, 32))::real AS rank
        FROM candidates c JOIN news.articles a ON a.id = c.id
        ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.id DESC
        LIMIT max_rows
    )
    SELECT a.id, a.source, a.published_at, a.title, a.canonical_url, coalesce(a.cluster_id, a.id), h.rank,
           regexp_replace(ts_headline('news.search_words', concat_ws(' ', a.lead, a.body), exact || folded, marks), '\s+', ' ', 'g')
    FROM hits h JOIN news.articles a ON a.id = h.id
    ORDER BY h.rank DESC, a.published_at DESC NULLS LAST, a.id DESC;
    GET DIAGNOSTICS found = ROW_COUNT;
    IF found < max_rows AND to_regclass('news.articles_title_trgm_idx') IS NOT NULL THEN
        -- Planned only here, where pg_trgm is installed: its operator and function do not exist otherwise.
        IF found > 0 THEN  -- the few full-text hits (all of them: fewer than max_rows), not to repeat
            SELECT array_agg(a.id) INTO seen FROM news.articles a WHERE a.search_vector @@ folded;
        END IF;
        RETURN QUERY
        WITH hits AS (
            SELECT a.id, (0.99 * word_similarity(folded_q, a.title_folded))::real AS rank
            FROM news.articles a
            WHERE folded_q <% a.title_folded AND a.id <> ALL (seen)  -- by id: not a detoasted vector per title
              AND (source_name IS NULL OR a.source = source_name) AND (since IS NULL OR a.published_at >= since)
            ORDER BY rank DESC, a.id DESC
            LIMIT max_rows - found
        )
        SELECT a.id, a.source, a.published_at, a.title, a.canonical_url, coalesce(a.cluster_id, a.id), h.rank,
               regexp_replace(ts_headline('news.search_words', concat_ws(' ', a.lead, a.body), exact || folded, marks), '\s+', ' ', 'g')
        FROM hits h JOIN news.articles a ON a.id = h.id
        ORDER BY h.rank DESC, a.published_at DESC NULLS LAST, a.id DESC;
    END IF;
END
$$;

-- Where pg_trgm lives in another schema than the caller's search_path names, the function finds its
-- operators and functions there.
DO $$
DECLARE
    trgm_schema text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                          WHERE e.extname = 'pg_trgm');
BEGIN
    IF trgm_schema IS NOT NULL AND to_regclass('news.articles_title_trgm_idx') IS NOT NULL THEN
        EXECUTE format('ALTER FUNCTION news.search(text, text, timestamptz, integer, integer) SET search_path = pg_catalog, %I',
                       trgm_schema);
    END IF;
END
$$;

COMMENT ON FUNCTION news.fold(text) IS
    'Text folded for accent-insensitive matching: NFC, lower case, diacritics removed (Cần Thơ → can tho, Đà Nẵng → da nang); unaccent''s rules where that extension is installed, else the Vietnamese and common Latin accented letters in plain SQL.';
COMMENT ON FUNCTION news.search_document(text, text, text) IS
    'The search_vector of an article: simple-configuration words of the folded title (A), lead (B) and body (C), then of the same as written.';
COMMENT ON FUNCTION news.search(text, text, timestamptz, integer, integer) IS
    'Articles matching a web-search-style query (words required, "quoted" adjacent, or, -excluded), diacritics optional, best first: exact diacritics, then adjacent words, then text rank; title trigram similarity for typos where pg_trgm is installed. Optional source_name, since (published_at from), max_rows (default 20), depth (the newest matches ranked, default 200). Each row has a snippet with the matched words in «».';
COMMENT ON FUNCTION news.set_search_vector() IS
    'Trigger function of news.articles: computes search_vector (news.search_document) when an article''s text is inserted or updated.';
COMMENT ON TEXT SEARCH CONFIGURATION news.search_words IS
    'Configuration of news.search''s snippets: simple, and (where unaccent is installed) folding diacritics, so that a query typed without them highlights words written with them.';
COMMENT ON COLUMN news.articles.title_folded IS
    'The title folded (news.fold: lower case, no diacritics; kept by the same trigger): what news.search matches typos in titles against, with a trigram index where pg_trgm is installed.';
COMMENT ON COLUMN news.articles.search_vector IS
    'Full-text search words of title, lead and body (kept by a trigger when they are written): folded (no diacritics, lower case) and as written; GIN-indexed. Query it through news.search(q).';
