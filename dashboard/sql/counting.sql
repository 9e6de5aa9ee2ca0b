-- The counting rules: which reported numbers a figure on the dashboard adds up, and which it never adds.
-- README.md ("Counting rules") says the same in words; tests/dashboard/test_counting_rules.py checks each
-- rule on small constructed tables.
--
-- Every query below reads `cand`, a relation that dashboard/data.py builds from the snapshot table
-- `fvc` (counted facts: reprints and in-article repeats are already gone, see etl/schema.sql
-- `fact_view.counted`) — or, for figures of the reviewed facts only (仅已核对), from `fvr`: the facts a
-- person confirmed, corrected or added, with reprints and repeats removed among them alone, so that
-- every rule below judges them among themselves. `cand` holds the facts of ONE kind that could enter
-- one set of figures:
--
--   grp          the figure a fact may count towards (a region's code at the chosen level, an
--                initiative, a region and a year ...); rules never look across figures
--   key          a number unique to the row (a fact can be a candidate of several figures)
--   gdepth       depth of the figure's region: 0 province, 1 city, 2 county
--   ord, fact_id, part_of, metric, value, approx
--   region_code, depth, city_code, county_code   the fact's own region and where it lies
--   p_start, p_end   the fact's period (a total's as-of date, a target's deadline in p_end)
--   as_of        a total's date: the end of its period, never after the issue it was printed in
--   review       unreviewed | confirmed | corrected | added (read by no rule: the figures report how
--                many of the facts that count are reviewed)
--   subgroup     a stock of one group under 其中 whose whole the article gives no stock of (the ETL's
--                doubt subgroup_stock: …新建工会1059家,发展会员10万人。其中灵活就业人员…累计8.3万人)
--
-- Each query returns every row of `cand` with `dropped`: NULL when the fact counts, else the reason
-- it does not, so that the facts behind a figure can be listed with the ones left out.


-- name: increments
-- An increment belongs to its period; the caller keeps the ones whose period lies inside the
-- selected span. Within one figure:
--   part     a breakdown (其中…, 含…) never adds to its parent: dropped when its parent is a
--            candidate of the same figure and metric
--   inner    of one region's increments whose periods nest (1—6月 inside 全年), only the widest
--            counts; of equal periods, the largest value (the others are parts of it or the same
--            count reported again), the first in table order among equals
--   covered  a lower level fills in only where the level above is silent: a county's (or town's)
--            increment is dropped when an enclosing region of the figure reports the same metric
--            for a period that overlaps it
-- (Written with groupings and equi-joins rather than window frames: a framed window over a
-- region's periods costs ten times as much at a million facts.)
WITH parts AS (
    SELECT DISTINCT c.key
    FROM cand c JOIN cand p ON p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
    WHERE c.part_of IS NOT NULL
),
whole AS (SELECT c.* FROM cand c ANTI JOIN parts x ON x.key = c.key),
periods AS (    -- each region's distinct periods of a metric, with the largest value reported for each
    SELECT grp, metric, region_code, p_start, p_end, max(value) AS top
    FROM whole GROUP BY ALL
),
nested AS (     -- periods inside a wider one of the same region
    SELECT DISTINCT a.grp, a.metric, a.region_code, a.p_start, a.p_end
    FROM periods a JOIN periods b
      ON b.grp = a.grp AND b.metric = a.metric AND b.region_code = a.region_code
     AND b.p_start <= a.p_start AND b.p_end >= a.p_end AND (b.p_start < a.p_start OR b.p_end > a.p_end)
),
widest AS (     -- per widest period, the one fact that counts
    SELECT min(w.key) AS key
    FROM whole w
    JOIN periods p USING (grp, metric, region_code, p_start, p_end)
    ANTI JOIN nested n USING (grp, metric, region_code, p_start, p_end)
    WHERE w.value = p.top
    GROUP BY w.grp, w.metric, w.region_code, w.p_start, w.p_end
),
kept AS (SELECT c.* FROM cand c SEMI JOIN widest k ON k.key = c.key),
enclosing AS (  -- each kept fact with the regions above it that belong to its figure
    SELECT key, grp, metric, p_start, p_end, '330000' AS above FROM kept WHERE gdepth = 0 AND depth >= 1
    UNION ALL
    SELECT key, grp, metric, p_start, p_end, city_code FROM kept WHERE gdepth <= 1 AND depth >= 2
    UNION ALL
    SELECT key, grp, metric, p_start, p_end, county_code FROM kept WHERE gdepth <= 2 AND depth >= 3
),
covered AS (
    SELECT DISTINCT e.key
    FROM enclosing e
    JOIN kept q ON q.grp = e.grp AND q.metric = e.metric AND q.region_code = e.above
               AND q.p_start <= e.p_end AND q.p_end >= e.p_start
)
SELECT c.*,
       CASE WHEN x.key IS NOT NULL THEN 'part' WHEN k.key IS NULL THEN 'inner'
            WHEN v.key IS NOT NULL THEN 'covered' END AS dropped
FROM cand c
LEFT JOIN parts x ON x.key = c.key
LEFT JOIN widest k ON k.key = c.key
LEFT JOIN covered v ON v.key = c.key


-- name: totals
-- A total is a stock at a date; the caller keeps the ones dated no later than the end of the
-- selected span. Per figure, metric and region, only one counts:
--   part     a breakdown of a candidate of the same figure and metric (其中三星级以上…) is dropped
--   subgroup a stock of one group of what the region counts (其中灵活就业人员…累计8.3万人) is no
--            total of the region, whatever else it reported
--   older    a total dated before the region's latest one: totals are never added across dates
--   smaller  another total of the same date is larger (the smaller ones are parts of it)
-- Totals of different regions are never added by this query; a caller that sums regions' latest
-- totals (各区县最新累计数之和) labels the sum as such.
WITH parts AS (
    SELECT DISTINCT c.key
    FROM cand c JOIN cand p ON p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
    WHERE c.part_of IS NOT NULL
),
whole AS (SELECT c.* FROM cand c ANTI JOIN parts x ON x.key = c.key WHERE NOT c.subgroup),
latest AS (     -- each region's latest date, and the largest total of that date
    SELECT grp, metric, region_code, max(as_of) AS as_of FROM whole GROUP BY ALL
),
largest AS (
    SELECT w.grp, w.metric, w.region_code, w.as_of, max(w.value) AS top
    FROM whole w JOIN latest l USING (grp, metric, region_code, as_of) GROUP BY ALL
),
chosen AS (     -- the one total that counts (the first in table order among equals)
    SELECT min(w.key) AS key
    FROM whole w JOIN largest b USING (grp, metric, region_code, as_of)
    WHERE w.value = b.top GROUP BY w.grp, w.metric, w.region_code
)
SELECT c.*,
       CASE WHEN x.key IS NOT NULL THEN 'part' WHEN c.subgroup THEN 'subgroup' WHEN k.key IS NOT NULL THEN NULL
            WHEN c.as_of = l.as_of THEN 'smaller' ELSE 'older' END AS dropped
FROM cand c
LEFT JOIN parts x ON x.key = c.key
LEFT JOIN chosen k ON k.key = c.key
LEFT JOIN latest l ON l.grp = c.grp AND l.metric = c.metric AND l.region_code = c.region_code


-- name: targets
-- A target is a promise with a deadline (p_end): for new things (target_type 'new', 新建8900家)
-- or for the stock (target_type 'stock', 累计达3.3万家). Targets are never added: each is listed,
-- by deadline. The caller keeps the targets in force during the span (set no later than its end,
-- due no earlier than its start). Only a breakdown of a listed target is marked.
SELECT c.*, CASE WHEN p.fact_id IS NOT NULL THEN 'part' END AS dropped
FROM cand c
LEFT JOIN cand p ON c.part_of IS NOT NULL AND p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
