-- The DuckDB store of the ETL: documents → articles → facts, with reference tables and the
-- views the dashboard reads. Ids are content hashes; a source file's rows are replaced as a whole.

CREATE TABLE IF NOT EXISTS documents (
    doc_id        VARCHAR PRIMARY KEY,   -- sha256 of doc name + normalised text + rules fingerprint, 16 hex
    doc           VARCHAR NOT NULL,      -- the document's name: its path below the ingested folder without extension
                                         -- (2021-08-02/01; a file given alone: its stem; with the extension when a
                                         -- sibling shares the stem: p.txt, p.md; %, # and control characters
                                         -- percent-encoded); JSONL: that name#record id. Unique; see README
    source_file   VARCHAR NOT NULL,      -- path as given to ingest; re-ingesting it replaces its rows
    source_format VARCHAR NOT NULL,      -- page | epaper | html | jsonl
    encoding      VARCHAR,
    paper         VARCHAR,               -- the paper or site: the manifest's source (or a record's), else 浙江工人日报
    title         VARCHAR,
    url           VARCHAR,
    issue_date    DATE,
    date_source   VARCHAR,               -- manifest | masthead | metadata (HTML meta, JSONL date, e-paper trailer)
                                         -- | url (a date in the URL's path: /2023-04/12/, /20230412/) | inferred;
                                         -- every issue_date lies between 1950-01-01 and today
    n_chars       INTEGER,
    ingested_at   TIMESTAMP
);

CREATE TABLE IF NOT EXISTS articles (
    article_id  VARCHAR PRIMARY KEY,     -- sha256 of doc name + seq + text, 16 hex chars (stable across rule changes)
    doc_id      VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,        -- order on the page, from 0
    kicker      VARCHAR,
    title       VARCHAR,
    subtitle    VARCHAR,
    byline      VARCHAR,
    text        VARCHAR NOT NULL,        -- normalised body: evidence offsets point into it
    region      VARCHAR,                 -- the article's main place (full name), if any
    initiative  VARCHAR                  -- the article's main initiative (canonical), if any
);

CREATE TABLE IF NOT EXISTS facts (
    fact_id        VARCHAR PRIMARY KEY,  -- sha256 of article_id + metric + kind + value + evidence_start
    article_id     VARCHAR NOT NULL,
    doc_id         VARCHAR NOT NULL,
    metric         VARCHAR NOT NULL,     -- key of the taxonomy in shared spec (union_orgs, funding, ...)
    kind           VARCHAR NOT NULL,     -- increment | total | target
    value          DECIMAL(20, 2) NOT NULL, -- in the metric's base unit (元 for money, 人, 家, 场, 个, 件)
    unit           VARCHAR NOT NULL,     -- that base unit, in Chinese
    approx         VARCHAR NOT NULL,     -- exact | over | under | about
    region_code    VARCHAR,              -- official division code; NULL outside Zhejiang
    region         VARCHAR,
    city           VARCHAR,
    county         VARCHAR,
    town           VARCHAR,
    period_start   DATE,
    period_end     DATE,
    period_label   VARCHAR,
    initiative     VARCHAR,
    evidence       VARCHAR NOT NULL,
    evidence_start INTEGER,              -- character offsets of the evidence in articles.text
    evidence_end   INTEGER,
    value_start    INTEGER,              -- character offsets of the number itself in articles.text
    value_end      INTEGER,
    target_type    VARCHAR,              -- targets only: new (新建 N: new things) | stock (累计达 N: the total)
    part_of        VARCHAR,              -- fact_id of the fact this one is a breakdown of (其中…, 含…)
    confidence     DOUBLE,               -- 0–1: how sure the ETL is of the fact
    doubts         VARCHAR,              -- '|'-separated reasons it is less than sure (region_from_article, …)
    rule           VARCHAR               -- the metric rule that decided the fact
);

-- Databases written before a column existed gain it here (the ETL then re-extracts every page,
-- as its rules fingerprint changed with the code).
ALTER TABLE facts ADD COLUMN IF NOT EXISTS target_type VARCHAR;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS part_of VARCHAR;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS confidence DOUBLE;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS doubts VARCHAR;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS rule VARCHAR;

CREATE TABLE IF NOT EXISTS regions (
    code        VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,        -- province | city | county | town
    parent_code VARCHAR,
    city_code   VARCHAR,
    county_code VARCHAR,
    population_2020 BIGINT               -- resident population, 2020 census, where known
);

CREATE TABLE IF NOT EXISTS initiatives (
    name        VARCHAR PRIMARY KEY,     -- canonical name
    aliases     VARCHAR,                 -- '|'-separated
    status      VARCHAR NOT NULL,        -- lexicon | candidate
    first_doc   VARCHAR,                 -- for candidates: where it was first seen
    mentions    INTEGER
);

-- Files an ingest could not load, with the reason, for the dashboard's 来源 page; a later ingest
-- that loads the file drops its row.
CREATE TABLE IF NOT EXISTS skipped_files (
    source_file VARCHAR NOT NULL,        -- path as given to ingest
    reason      VARCHAR NOT NULL,
    skipped_at  TIMESTAMP
);

-- Metric labels and units for display; filled from data/metrics.yaml at load time.
CREATE TABLE IF NOT EXISTS metrics (
    metric     VARCHAR PRIMARY KEY,
    label      VARCHAR NOT NULL,         -- Chinese label, e.g. 新建工会组织
    unit       VARCHAR NOT NULL,
    core       BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL
);

-- Every fact with its document and article context. `counted` marks the one occurrence that
-- aggregates use: a fact reprinted in another issue (same metric, kind, value, region and period)
-- counts once, in its earliest issue.
CREATE OR REPLACE VIEW fact_view AS
SELECT
    f.*,
    d.doc,
    d.issue_date,
    d.date_source,
    d.paper,
    d.url,
    a.title AS article_title,
    m.label AS metric_label,
    m.core  AS core_metric,
    r.city_code,
    r.county_code,
    row_number() OVER (
        PARTITION BY f.metric, f.kind, f.value, coalesce(f.region, ''),
                     coalesce(CAST(f.period_start AS VARCHAR), ''), coalesce(CAST(f.period_end AS VARCHAR), '')
        ORDER BY d.issue_date NULLS LAST, f.fact_id
    ) = 1 AS counted
FROM facts f
JOIN documents d USING (doc_id)
JOIN articles a USING (article_id)
LEFT JOIN metrics m USING (metric)
LEFT JOIN regions r ON r.code = f.region_code;
