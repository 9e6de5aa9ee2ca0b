-- The counting rules: which reported numbers a figure on the dashboard adds up, and which it never adds.
-- README.md ("Counting rules") says the same in words; tests/dashboard/test_counting_rules.py checks each
-- rule on small constructed tables.
--
-- Every query below reads `cand`, a relation that dashboard/data.py builds from the snapshot table
-- `fvc` (counted facts: reprints and in-article repeats are already gone, see etl/schema.sql
-- `fact_view.counted`). `cand` holds the facts of ONE kind that could enter one set of figures:
--
--   grp          the figure a fact may count towards (a region's code at the chosen level, an
--                initiative, a region and a year ...); rules never look across figures
--   gdepth       depth of the figure's region: 0 province, 1 city, 2 county
--   ord, fact_id, part_of, metric, value, approx
--   region_code, depth, city_code, county_code   the fact's own region and where it lies
--   p_start, p_end   the fact's period (a total's as-of date, a target's deadline in p_end)
--   as_of        a total's date: the end of its period, never after the issue it was printed in
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
--            count reported again)
--   covered  a lower level fills in only where the level above is silent: a county's (or town's)
--            increment is dropped when an enclosing region of the figure reports the same metric
--            for a period that overlaps it
WITH part AS (
    SELECT c.*, p.fact_id IS NOT NULL AS is_part
    FROM cand c
    LEFT JOIN cand p ON c.part_of IS NOT NULL AND p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
),
nest AS (
    -- Sorted by start, then widest first, a row is inside an earlier one exactly when some earlier
    -- row of the region ends no sooner than it does. Parts sort last and take no part.
    SELECT *, NOT is_part AND coalesce(
               max(CASE WHEN NOT is_part THEN p_end END) OVER (
                   PARTITION BY grp, metric, region_code
                   ORDER BY is_part, p_start, p_end DESC, value DESC, ord
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) >= p_end, FALSE) AS is_inner
    FROM part
),
widest AS (SELECT * FROM nest WHERE NOT is_part AND NOT is_inner),
enclosing AS (
    -- each fact with the regions above it that belong to its figure
    SELECT ord, grp, metric, p_start, p_end, '330000' AS above FROM widest WHERE gdepth = 0 AND depth >= 1
    UNION ALL
    SELECT ord, grp, metric, p_start, p_end, city_code FROM widest WHERE gdepth <= 1 AND depth >= 2
    UNION ALL
    SELECT ord, grp, metric, p_start, p_end, county_code FROM widest WHERE gdepth <= 2 AND depth >= 3
),
covered AS (
    SELECT DISTINCT e.ord, e.grp
    FROM enclosing e
    JOIN widest q ON q.grp = e.grp AND q.metric = e.metric AND q.region_code = e.above
                 AND q.p_start <= e.p_end AND q.p_end >= e.p_start
)
SELECT n.* EXCLUDE (is_part, is_inner),
       CASE WHEN n.is_part THEN 'part' WHEN n.is_inner THEN 'inner'
            WHEN c.ord IS NOT NULL THEN 'covered' END AS dropped
FROM nest n LEFT JOIN covered c ON c.ord = n.ord AND c.grp = n.grp


-- name: totals
-- A total is a stock at a date; the caller keeps the ones dated no later than the end of the
-- selected span. Per figure, metric and region, only one counts:
--   part     a breakdown of a candidate of the same figure and metric (其中三星级以上…) is dropped
--   older    a total dated before the region's latest one: totals are never added across dates
--   smaller  another total of the same date is larger (the smaller ones are parts of it)
-- Totals of different regions are never added by this query; a caller that sums regions' latest
-- totals (各区县最新累计数之和) labels the sum as such.
WITH part AS (
    SELECT c.*, p.fact_id IS NOT NULL AS is_part
    FROM cand c
    LEFT JOIN cand p ON c.part_of IS NOT NULL AND p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
),
ranked AS (
    SELECT *,
           row_number() OVER w AS rn,
           first_value(as_of) OVER w AS latest
    FROM part
    WINDOW w AS (PARTITION BY grp, metric, region_code ORDER BY is_part, as_of DESC, value DESC, ord)
)
SELECT * EXCLUDE (is_part, rn, latest),
       CASE WHEN is_part THEN 'part' WHEN rn = 1 THEN NULL
            WHEN as_of = latest THEN 'smaller' ELSE 'older' END AS dropped
FROM ranked


-- name: targets
-- A target is a promise with a deadline (p_end): for new things (target_type 'new', 新建8900家)
-- or for the stock (target_type 'stock', 累计达3.3万家). Targets are never added: each is listed,
-- by deadline. The caller keeps the targets in force during the span (set no later than its end,
-- due no earlier than its start). Only a breakdown of a listed target is marked.
SELECT c.*, CASE WHEN p.fact_id IS NOT NULL THEN 'part' END AS dropped
FROM cand c
LEFT JOIN cand p ON c.part_of IS NOT NULL AND p.fact_id = c.part_of AND p.grp = c.grp AND p.metric = c.metric
