-- Running purchase number per customer, for the transactions' external ids.
CREATE TEMP TABLE scale_offsets ON COMMIT DROP AS
SELECT rn, sum(purchases) OVER (ORDER BY rn) - purchases AS before FROM scale_plan
