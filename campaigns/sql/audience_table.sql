CREATE TEMP TABLE campaign_audience (
    customer_id bigint NOT NULL,
    occurrence text NOT NULL,
    -- The customer's score when the audience was read (it ranks them when the budget is short).
    score numeric
)
ON COMMIT DROP
