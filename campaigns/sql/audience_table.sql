CREATE TEMP TABLE campaign_audience (customer_id bigint NOT NULL, occurrence text NOT NULL)
ON COMMIT DROP
