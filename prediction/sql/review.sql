-- The relationship review: every customer's figures over the window, the rules they meet, and
-- the flags written for those who meet at least one. Terminated and archived customers are
-- left out (the decision is already taken). Money stays numeric.
--   cost to serve = contacts × cost per contact + purchases × cost per order
--                   + complaints × cost per complaint
--                   + campaign contacts sent, each at the cost recorded on it (the campaign's
--                     cost for its channel)
--                   + rewards redeemed × cost per reward + coupons used × cost per coupon
--   deal seeker   = most purchases at a known list price well below it, or most purchases
--                   a deal of any kind: below list price, bought within a sent campaign
--                   contact's attribution window, or made with a coupon. Coupon uses are not
--                   linked to transactions, so each use counts as one purchase (capped at the
--                   purchases).
--   profit        = margin (amount − cost of the completed purchases that have a cost)
--                   − cost to serve
INSERT INTO prediction_relationshipflag (tenant_id, customer_id, rules, evidence, profit, reviewed_at)
WITH purchase_rows AS (
    -- Each purchase of the window, marked: below list price, within a campaign's attribution.
    SELECT t.customer_id, t.status, t.amount, t.cost, t.due_date, t.paid_date,
           coalesce(p.list_price > 0, false) AS priced,
           coalesce(p.list_price > 0 AND t.amount / t.quantity
               < p.list_price * (1 - %(discount_percent)s::numeric / 100), false) AS below_list,
           EXISTS (
               SELECT 1 FROM campaigns_recipient r
               JOIN campaigns_campaign k ON k.id = r.campaign_id
               WHERE r.customer_id = t.customer_id AND r."group" = 'target'
                 AND r.status = 'sent' AND r.sent_at <= t.occurred_at
                 AND t.occurred_at < r.sent_at + make_interval(days => k.attribution_days)
           ) AS from_campaign
    FROM customers_transaction t
    LEFT JOIN customers_product p ON p.id = t.product_id
    WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase'
      AND t.occurred_at >= %(since)s AND t.occurred_at < %(until)s
), sales AS (
    SELECT t.customer_id,
           count(*) FILTER (WHERE t.status = 'completed') AS purchases,
           count(*) FILTER (WHERE t.status = 'refunded') AS refunds,
           coalesce(sum(t.amount - t.cost) FILTER (
               WHERE t.status = 'completed' AND t.cost IS NOT NULL), 0) AS margin,
           count(*) FILTER (WHERE t.status = 'completed' AND t.cost IS NULL) AS without_cost,
           count(*) FILTER (WHERE t.due_date IS NOT NULL AND t.status = 'completed') AS invoices,
           count(*) FILTER (WHERE t.due_date IS NOT NULL AND t.status = 'completed'
               AND coalesce(t.paid_date, %(today)s::date) > t.due_date) AS late,
           avg(coalesce(t.paid_date, %(today)s::date) - t.due_date) FILTER (
               WHERE t.due_date IS NOT NULL AND t.status = 'completed'
                 AND coalesce(t.paid_date, %(today)s::date) > t.due_date) AS days_late,
           count(*) FILTER (WHERE t.status = 'completed' AND t.priced) AS priced,
           count(*) FILTER (WHERE t.status = 'completed' AND t.below_list) AS deals,
           count(*) FILTER (WHERE t.status = 'completed' AND t.from_campaign)
               AS campaign_purchases,
           count(*) FILTER (WHERE t.status = 'completed' AND (t.below_list OR t.from_campaign))
               AS deal_or_campaign
    FROM purchase_rows t
    GROUP BY t.customer_id
), complaints AS (
    SELECT f.customer_id, count(*) AS complaints
    FROM customers_feedback f
    WHERE f.tenant_id = %(tenant)s AND f.kind = 'complaint'
      AND f.opened_at >= %(since)s AND f.opened_at < %(until)s
    GROUP BY f.customer_id
), contacts AS (
    SELECT i.customer_id, count(*) AS contacts
    FROM customers_interaction i
    WHERE i.tenant_id = %(tenant)s AND i.occurred_at >= %(since)s AND i.occurred_at < %(until)s
    GROUP BY i.customer_id
), campaign_contacts AS (
    SELECT r.customer_id, count(*) AS campaign_contacts, sum(r.cost) AS campaign_cost
    FROM campaigns_recipient r
    WHERE r.tenant_id = %(tenant)s AND r."group" = 'target' AND r.status = 'sent'
      AND r.sent_at >= %(since)s AND r.sent_at < %(until)s
    GROUP BY r.customer_id
), rewards AS (
    SELECT m.customer_id, count(*) AS rewards
    FROM loyalty_rewardredemption rr
    JOIN loyalty_member m ON m.id = rr.member_id
    WHERE rr.tenant_id = %(tenant)s AND rr.created_at >= %(since)s AND rr.created_at < %(until)s
    GROUP BY m.customer_id
), coupons AS (
    SELECT u.customer_id, count(*) AS coupons
    FROM loyalty_couponuse u
    WHERE u.tenant_id = %(tenant)s AND u.used_at >= %(since)s AND u.used_at < %(until)s
    GROUP BY u.customer_id
), figures AS (
    SELECT c.id AS customer_id,
           coalesce(s.purchases, 0) AS purchases,
           coalesce(s.refunds, 0) AS refunds,
           coalesce(s.margin, 0) AS margin,
           coalesce(s.without_cost, 0) AS without_cost,
           coalesce(s.invoices, 0) AS invoices,
           coalesce(s.late, 0) AS late,
           round(coalesce(s.days_late, 0), 1) AS days_late,
           coalesce(s.priced, 0) AS priced,
           coalesce(s.deals, 0) AS deals,
           coalesce(s.campaign_purchases, 0) AS campaign_purchases,
           coalesce(s.deal_or_campaign, 0) AS deal_or_campaign,
           coalesce(f.complaints, 0) AS complaints,
           coalesce(i.contacts, 0) AS contacts,
           coalesce(cc.campaign_contacts, 0) AS campaign_contacts,
           coalesce(cc.campaign_cost, 0) AS campaign_cost,
           coalesce(rw.rewards, 0) AS rewards,
           coalesce(cu.coupons, 0) AS coupons,
           coalesce(i.contacts, 0) * %(cost_per_contact)s::numeric
             + coalesce(s.purchases, 0) * %(cost_per_order)s::numeric
             + coalesce(f.complaints, 0) * %(cost_per_complaint)s::numeric
             + coalesce(cc.campaign_cost, 0)
             + coalesce(rw.rewards, 0) * %(cost_per_reward)s::numeric
             + coalesce(cu.coupons, 0) * %(cost_per_coupon)s::numeric AS cost_to_serve
    FROM customers_customer c
    LEFT JOIN sales s ON s.customer_id = c.id
    LEFT JOIN complaints f ON f.customer_id = c.id
    LEFT JOIN contacts i ON i.customer_id = c.id
    LEFT JOIN campaign_contacts cc ON cc.customer_id = c.id
    LEFT JOIN rewards rw ON rw.customer_id = c.id
    LEFT JOIN coupons cu ON cu.customer_id = c.id
    WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NULL
      AND c.lifecycle_stage <> 'terminated'
      AND (s.customer_id IS NOT NULL OR f.customer_id IS NOT NULL OR i.customer_id IS NOT NULL
           OR cc.customer_id IS NOT NULL OR rw.customer_id IS NOT NULL
           OR cu.customer_id IS NOT NULL)
), flagged AS (
    SELECT figures.*, margin - cost_to_serve AS profit,
           array_remove(ARRAY[
               CASE WHEN complaints >= %(min_complaints)s
                     AND complaints::numeric / greatest(purchases, 1)
                         > %(complaints_per_purchase)s::numeric
                    THEN 'serial_complainer' END,
               CASE WHEN invoices > 0 AND late::numeric / invoices > %(late_share)s::numeric
                     AND days_late > %(late_days)s
                    THEN 'late_payer' END,
               CASE WHEN priced >= %(min_deal_purchases)s
                     AND deals::numeric / priced > %(deal_share)s::numeric
                    OR purchases >= %(min_deal_purchases)s
                     AND least(deal_or_campaign + coupons, purchases)::numeric / purchases
                         > %(deal_share)s::numeric
                    THEN 'deal_seeker' END,
               CASE WHEN refunds >= %(min_refunds)s
                     AND refunds::numeric / (purchases + refunds) > %(refund_share)s::numeric
                    THEN 'suspected_fraud' END,
               CASE WHEN margin - cost_to_serve < 0 THEN 'unprofitable' END
           ]::varchar[], NULL) AS rules
    FROM figures
)
SELECT %(tenant)s, customer_id, rules,
       jsonb_build_object(
           'purchases', purchases, 'refunds', refunds, 'margin', margin::text,
           'without_cost', without_cost, 'invoices', invoices, 'late', late,
           'days_late', days_late::text, 'priced', priced, 'deals', deals,
           'campaign_purchases', campaign_purchases,
           'deal_purchases', least(deal_or_campaign + coupons, purchases),
           'complaints', complaints, 'contacts', contacts,
           'campaign_contacts', campaign_contacts, 'campaign_cost', campaign_cost::text,
           'rewards', rewards, 'coupons', coupons, 'cost_to_serve', cost_to_serve::text
       ),
       profit, %(now)s
FROM flagged
WHERE cardinality(rules) > 0;
