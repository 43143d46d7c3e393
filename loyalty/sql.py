"""Every set-based SQL statement of the loyalty app, in one place.

Each statement writes ledger entries with INSERT ... SELECT ... ON CONFLICT DO NOTHING (the
idempotency key is unique per tenant; a release or an in-window reversal "settles" its earn
entry, unique too) and moves the members' cached balances in the same statement, from what
was really inserted (RETURNING), so a rerun or a second delivery inserts and moves nothing.
One exception, earning's fast path (EARN_AND_ENROL): a plain INSERT that fails as a whole on
a key already there, after which points_earn takes the ON CONFLICT statements.
Parameters only; the one varying part (which transactions) comes from TRANSACTION_FILTERS.
"""

from __future__ import annotations

# Which transactions an earning statement looks at.
TRANSACTION_FILTERS = {
    "ids": "t.id = ANY(%(ids)s)",
    "import_job": "t.import_job_id = %(job)s",
    # The nightly safety net: purchases of the last days (the tenant/time index).
    "recent": "t.occurred_at >= %(recent_since)s",
}

_EARNABLE = """
    t.tenant_id = %(tenant)s
    AND {filter}
    AND t.status = 'completed'
    AND t.kind = 'purchase'
    AND t.occurred_at >= %(starts_at)s
"""

# A purchase's points: base points × the tier's multiplier × the largest bonus rule it
# matches, rounded down (t: the purchase, tm: its customer's tier multiplier).
_POINTS = """
               floor(
                   t.amount * %(points_per_unit)s * coalesce(tm.multiplier, 1) * coalesce((
                       SELECT max(b.multiplier) FROM loyalty_bonusrule b
                       WHERE b.tenant_id = %(tenant)s AND b.is_active
                         AND (b.category_id IS NULL OR b.category_id = t.category_id)
                         AND (b.channel = '' OR b.channel = t.channel)
                         AND (b.starts_on IS NULL
                              OR b.starts_on <= (t.occurred_at AT TIME ZONE %(tz)s)::date)
                         AND (b.ends_on IS NULL
                              OR b.ends_on >= (t.occurred_at AT TIME ZONE %(tz)s)::date)
                   ), 1)
               )::integer"""

# Enrol the buyers among the transactions' customers (automatic enrolment). Returns the new
# members' ids (for the welcome bonus).
ENROL_BUYERS = (
    """
    INSERT INTO loyalty_member (tenant_id, customer_id, enrolled_at, available, pending)
    SELECT DISTINCT %(tenant)s, t.customer_id, now(), 0, 0
    FROM customers_transaction t
    JOIN customers_customer c ON c.id = t.customer_id AND c.tenant_id = %(tenant)s
    WHERE """
    + _EARNABLE
    + """
      AND c.archived_at IS NULL
      AND (%(any_buyer)s OR c.consent_email OR c.consent_sms OR c.consent_phone)
    ON CONFLICT (customer_id) DO NOTHING
    RETURNING id
"""
)

# Credit points that are available at once (welcome bonus, cashback, a positive adjustment)
# to many members: one row per member in %(members)s, keys built from %(key_prefix)s.
CREDIT_AVAILABLE = """
    WITH credited AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, expires_at, created_by_id)
        SELECT %(tenant)s, m.id, 'earn', %(source)s, %(points)s, 0, %(reason)s,
               %(key_prefix)s || m.id, now(),
               CASE WHEN %(expiry_months)s > 0
                    THEN now() + make_interval(months => %(expiry_months)s) END,
               NULL
        FROM loyalty_member m
        WHERE m.tenant_id = %(tenant)s AND m.id = ANY(%(members)s)
        ON CONFLICT DO NOTHING
        RETURNING member_id, available_delta
    )
    UPDATE loyalty_member m SET available = m.available + c.available_delta
    FROM credited c WHERE m.id = c.member_id
    RETURNING m.id
"""

# Credit points available at once with a key per credit (campaign bonus points: one credit per
# message, several for one member in a batch): one row per (member, key) pair of %(members)s
# and %(keys)s; each member's balance moves by the sum of what was really inserted.
CREDIT_KEYED = """
    WITH credited AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, expires_at, created_by_id)
        SELECT %(tenant)s, m.id, 'earn', %(source)s, %(points)s, 0, %(reason)s,
               k.key, now(),
               CASE WHEN %(expiry_months)s > 0
                    THEN now() + make_interval(months => %(expiry_months)s) END,
               NULL
        FROM unnest(%(members)s::bigint[], %(keys)s::text[]) AS k(member_id, key)
        JOIN loyalty_member m ON m.id = k.member_id AND m.tenant_id = %(tenant)s
        ON CONFLICT DO NOTHING
        RETURNING member_id, available_delta
    )
    UPDATE loyalty_member m SET available = m.available + c.points
    FROM (SELECT member_id, sum(available_delta) AS points FROM credited GROUP BY member_id) c
    WHERE m.id = c.member_id
    RETURNING m.id, c.points
"""

# Earn pending points for purchases (_POINTS), exactly once per transaction (its key, unique per
# tenant): purchases that already earned are skipped by ON CONFLICT's probe of the key's index
# before anything is written (and a race between two concurrent earnings is settled). The
# members are enrolled before, by ENROL_BUYERS. This is the safe path: points_earn tries
# EARN_AND_ENROL first.
# No NOT EXISTS on the ledger: right after an import the planner's statistics do not know the
# rows just written, and it planned that anti-join as a nested loop over a materialised ledger,
# quadratic (a re-import of 100,000 purchases ran for over 10 minutes).
EARN = (
    """
    WITH candidates AS MATERIALIZED (
        SELECT t.id, m.id AS member_id, t.occurred_at,
               """
    + _POINTS
    + """ AS points
        FROM customers_transaction t
        JOIN loyalty_member m
            ON m.customer_id = t.customer_id AND m.tenant_id = %(tenant)s AND m.left_at IS NULL
        LEFT JOIN segmentation_customerscore s
            ON s.customer_id = t.customer_id AND s.tenant_id = %(tenant)s
        LEFT JOIN loyalty_tiermultiplier tm
            ON tm.tenant_id = %(tenant)s AND tm.tier_id = s.tier_id
        WHERE """
    + _EARNABLE
    + """
    ), earned AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, releases_at, expires_at, transaction_id)
        SELECT %(tenant)s, c.member_id, 'earn', 'transaction', 0, c.points, '',
               'earn:txn:' || c.id, now(),
               greatest(c.occurred_at + make_interval(days => %(window_days)s), now()),
               CASE WHEN %(expiry_months)s > 0
                    THEN c.occurred_at + make_interval(months => %(expiry_months)s) END,
               c.id
        FROM candidates c
        WHERE c.points > 0
        ON CONFLICT DO NOTHING
        RETURNING member_id, pending_delta
    ), totals AS (
        SELECT member_id, sum(pending_delta) AS points, count(*) AS entries
        FROM earned GROUP BY member_id
    ), moved AS (
        UPDATE loyalty_member m SET pending = m.pending + totals.points
        FROM totals WHERE m.id = totals.member_id
        RETURNING totals.points, totals.entries
    )
    SELECT coalesce(sum(entries), 0), coalesce(sum(points), 0) FROM moved
"""
)

# The fast path of earning (a first import, a new sale): enrol the buyers and earn, in one
# statement, with a plain INSERT into the ledger (no ON CONFLICT: a plain insert checks the key
# while writing its index entry, where ON CONFLICT probes the index for every row first and
# inserts speculatively, a third of the insert's time measured). A purchase that earned already
# makes the whole statement fail on the key's unique constraint; points_earn then rolls it back
# (a savepoint) and takes the safe path (ENROL_BUYERS, then EARN).
# A new member is inserted with its balances already counted (its purchases' points, the
# welcome bonus): every one of its entries goes in or the statement fails, so they agree. The
# UPDATE of the members' balances does not see the rows inserted by the same statement, so it
# moves the existing members only. Updating a member inserted by the same transaction would
# also run its foreign keys' checks again (PostgreSQL does on a row inserted by its own
# transaction): 40,000 more checks for 20,000 new members; and the purchases are read once.
# `missed`: purchases of a customer another transaction enrolled meanwhile (this statement's
# snapshot does not see that member, so they earned nothing here): points_earn then rolls
# back and takes the safe path, whose statements see it.
EARN_AND_ENROL = (
    """
    WITH earnable AS MATERIALIZED (
        -- The purchases first, on their own (the filter's index): joined to the customers in
        -- one statement, the planner, misled by the customers' row-level security filter,
        -- started from the tenant's customers and read every one's purchases.
        SELECT t.id, t.customer_id, t.occurred_at, t.amount, t.category_id, t.channel
        FROM customers_transaction t
        WHERE """
    + _EARNABLE
    + """
    ), purchases AS MATERIALIZED (
        SELECT t.id, t.customer_id, t.occurred_at,
               c.archived_at IS NULL
                   AND (%(any_buyer)s OR c.consent_email OR c.consent_sms OR c.consent_phone)
                   AS enrollable,"""
    + _POINTS
    + """ AS points
        FROM earnable t
        JOIN customers_customer c ON c.id = t.customer_id AND c.tenant_id = %(tenant)s
        LEFT JOIN segmentation_customerscore s
            ON s.customer_id = t.customer_id AND s.tenant_id = %(tenant)s
        LEFT JOIN loyalty_tiermultiplier tm
            ON tm.tenant_id = %(tenant)s AND tm.tier_id = s.tier_id
    ), existing AS MATERIALIZED (
        SELECT m.id, m.customer_id, m.left_at FROM loyalty_member m
        WHERE m.tenant_id = %(tenant)s
          AND m.customer_id IN (SELECT p.customer_id FROM purchases p)
    ), enrolled AS (
        INSERT INTO loyalty_member (tenant_id, customer_id, enrolled_at, available, pending)
        SELECT %(tenant)s, p.customer_id, now(), %(welcome)s,
               coalesce(sum(p.points) FILTER (WHERE p.points > 0), 0)
        FROM purchases p
        WHERE p.enrollable
          AND NOT EXISTS (SELECT 1 FROM existing x WHERE x.customer_id = p.customer_id)
        GROUP BY p.customer_id
        ON CONFLICT (customer_id) DO NOTHING
        RETURNING id, customer_id
    ), members AS (
        SELECT x.id, x.customer_id FROM existing x WHERE x.left_at IS NULL
        UNION ALL
        SELECT n.id, n.customer_id FROM enrolled n
    ), welcomed AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, expires_at)
        SELECT %(tenant)s, n.id, 'earn', 'welcome', %(welcome)s, 0, %(welcome_reason)s,
               'welcome:' || n.id, now(),
               CASE WHEN %(expiry_months)s > 0
                    THEN now() + make_interval(months => %(expiry_months)s) END
        FROM enrolled n
        WHERE %(welcome)s > 0
        RETURNING 1
    ), earned AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, releases_at, expires_at, transaction_id)
        SELECT %(tenant)s, m.id, 'earn', 'transaction', 0, p.points, '',
               'earn:txn:' || p.id, now(),
               greatest(p.occurred_at + make_interval(days => %(window_days)s), now()),
               CASE WHEN %(expiry_months)s > 0
                    THEN p.occurred_at + make_interval(months => %(expiry_months)s) END,
               p.id
        FROM purchases p
        JOIN members m ON m.customer_id = p.customer_id
        WHERE p.points > 0
        RETURNING member_id, pending_delta
    ), totals AS (
        SELECT member_id, sum(pending_delta) AS points FROM earned GROUP BY member_id
    ), moved AS (
        UPDATE loyalty_member m SET pending = m.pending + totals.points
        FROM totals WHERE m.id = totals.member_id
        RETURNING m.id
    )
    SELECT (SELECT count(*) FROM enrolled),
           (SELECT count(*) FROM welcomed),
           (SELECT count(*) FROM moved),
           (SELECT count(*) FROM earned),
           (SELECT coalesce(sum(pending_delta), 0) FROM earned),
           (SELECT count(*) FROM purchases p
            WHERE p.enrollable AND p.points > 0
              AND NOT EXISTS (SELECT 1 FROM existing x WHERE x.customer_id = p.customer_id)
              AND NOT EXISTS (SELECT 1 FROM enrolled n WHERE n.customer_id = p.customer_id))
"""
)

# Whether some of the purchases (up to 100 of them, whichever the scan finds first) earned
# already: a re-import, a resumed import or a second delivery then takes EARN (safe path) at
# once instead of failing on EARN_AND_ENROL first. Only a shortcut: the key decides.
EARNED_SAMPLE = (
    """
    SELECT EXISTS (
        SELECT 1
        FROM (SELECT t.id FROM customers_transaction t WHERE """
    + _EARNABLE
    + """ LIMIT 100) t
        JOIN loyalty_pointsentry e
            ON e.tenant_id = %(tenant)s AND e.idempotency_key = 'earn:txn:' || t.id
    )
"""
)

# Pending -> available for earn entries whose return window ended and that were neither
# released nor reversed (the unique constraint on `settles`, not an anti-join: the planner
# would hash the whole ledger for it). Only entries due since the last run (one day of
# overlap) are looked at, so the nightly cost follows the day's purchases, not the ledger.
RELEASE = """
    WITH released AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, expires_at, settles_id, transaction_id)
        SELECT e.tenant_id, e.member_id, 'release', e.source, e.pending_delta, -e.pending_delta,
               '', 'release:' || e.id, now(),
               -- Points whose expiry passed while pending (a late import of old purchases)
               -- expire as they are released: the next expiry run sees the release.
               CASE WHEN e.expires_at IS NOT NULL THEN greatest(e.expires_at, %(now)s) END,
               e.id, e.transaction_id
        FROM loyalty_pointsentry e
        WHERE e.tenant_id = %(tenant)s
          AND e.kind = 'earn' AND e.pending_delta > 0
          AND e.releases_at <= %(now)s
          AND e.releases_at > coalesce(%(since)s::timestamptz, '-infinity')
        -- An earn already released or reversed conflicts on the unique "settles": skipped.
        ON CONFLICT DO NOTHING
        RETURNING member_id, available_delta
    ), totals AS (
        SELECT member_id, sum(available_delta) AS points, count(*) AS entries
        FROM released GROUP BY member_id
    ), moved AS (
        UPDATE loyalty_member m
        SET pending = m.pending - totals.points, available = m.available + totals.points
        FROM totals WHERE m.id = totals.member_id
        RETURNING totals.points, totals.entries
    )
    SELECT coalesce(sum(entries), 0), coalesce(sum(points), 0) FROM moved
"""

# The members with points whose expiry passed since the last run (one day of overlap), locked
# first so that no redemption changes their balance between this and EXPIRE. Found by the
# entries that made points available (loyalty_entry_expiry_available): a purchase's points by
# their release entry, which carries the earn's expiry (RELEASE).
EXPIRY_CANDIDATES = """
    SELECT m.id FROM loyalty_member m
    WHERE m.id IN (
        SELECT e.member_id FROM loyalty_pointsentry e
        WHERE e.tenant_id = %(tenant)s
          AND e.expires_at <= %(now)s
          AND e.expires_at > coalesce(%(since)s::timestamptz, '-infinity')
          AND e.available_delta > 0
    )
    AND m.available > 0
    ORDER BY m.id
    FOR UPDATE
"""

# FIFO expiry: spending consumes the oldest points first, so what is left of the points that
# have expired by now is max(0, expired credits - everything spent or expired so far).
# Credits are earn and positive adjust entries, net of their reversals (a reversal carries
# its earn's expiry); spending is redeem, expire and negative adjust entries. Capped at the
# available balance (pending points are released before they can expire).
EXPIRE = """
    WITH ledger AS (
        SELECT e.member_id,
               sum(e.available_delta + e.pending_delta) FILTER (
                   WHERE (e.kind IN ('earn', 'reverse')
                          OR (e.kind = 'adjust' AND e.available_delta > 0))
                     AND e.expires_at <= %(now)s
               ) AS expired_credits,
               -sum(e.available_delta) FILTER (
                   WHERE e.kind IN ('redeem', 'expire')
                      OR (e.kind = 'adjust' AND e.available_delta < 0)
               ) AS spent
        FROM loyalty_pointsentry e
        WHERE e.tenant_id = %(tenant)s AND e.member_id = ANY(%(members)s)
        GROUP BY e.member_id
    ), due AS (
        SELECT l.member_id,
               least(m.available,
                     greatest(0, coalesce(l.expired_credits, 0) - coalesce(l.spent, 0))) AS points
        FROM ledger l JOIN loyalty_member m ON m.id = l.member_id
    ), expired AS (
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at)
        SELECT %(tenant)s, d.member_id, 'expire', 'system', -d.points, 0, %(reason)s,
               'expire:' || d.member_id || ':' || %(day)s, now()
        FROM due d WHERE d.points > 0
        ON CONFLICT DO NOTHING
        RETURNING member_id, available_delta
    ), moved AS (
        UPDATE loyalty_member m SET available = m.available + x.available_delta
        FROM expired x WHERE m.id = x.member_id
        RETURNING -x.available_delta AS points
    )
    SELECT count(*), coalesce(sum(points), 0) FROM moved
"""

# Points of a member expiring by a given time that are not spent yet (the FIFO rule above).
EXPIRING_BY = """
    SELECT greatest(0,
        coalesce(sum(e.available_delta + e.pending_delta) FILTER (
            WHERE (e.kind IN ('earn', 'reverse') OR (e.kind = 'adjust' AND e.available_delta > 0))
              AND e.expires_at <= %(by)s), 0)
        + coalesce(sum(e.available_delta) FILTER (
            WHERE e.kind IN ('redeem', 'expire')
               OR (e.kind = 'adjust' AND e.available_delta < 0)), 0))
    FROM loyalty_pointsentry e
    WHERE e.tenant_id = %(tenant)s AND e.member_id = %(member)s
"""

# Earn entries of refunded purchases that have not been reversed yet.
REFUNDED_UNREVERSED = """
    SELECT e.transaction_id
    FROM customers_transaction t
    JOIN loyalty_pointsentry e
        ON e.tenant_id = %(tenant)s AND e.idempotency_key = 'earn:txn:' || t.id
    WHERE t.tenant_id = %(tenant)s AND t.status = 'refunded'
      AND NOT EXISTS (
          SELECT 1 FROM loyalty_pointsentry r
          WHERE r.tenant_id = %(tenant)s AND r.idempotency_key = 'reverse:txn:' || t.id
      )
    ORDER BY e.transaction_id
"""

# Cashback: customers who spent at least the threshold in the period and were not awarded
# for it yet; the unique (rule, customer, period) makes a second run insert nothing.
CASHBACK_AWARD = """
    INSERT INTO loyalty_cashbackaward (tenant_id, rule_id, customer_id, period_start, spent,
                                       created_at)
    SELECT %(tenant)s, %(rule)s, t.customer_id, %(period_start)s, sum(t.amount), now()
    FROM customers_transaction t
    JOIN customers_customer c
        ON c.id = t.customer_id AND c.tenant_id = %(tenant)s AND c.archived_at IS NULL
    WHERE t.tenant_id = %(tenant)s
      AND t.status = 'completed' AND t.kind = 'purchase'
      AND t.occurred_at >= %(starts_at)s AND t.occurred_at < %(ends_at)s
    GROUP BY t.customer_id
    HAVING sum(t.amount) >= %(threshold)s
    ON CONFLICT (rule_id, customer_id, period_start) DO NOTHING
    RETURNING id, customer_id
"""

# Scratch cards: codes staged by COPY, kept where the tenant does not have them yet.
CREATE_CODE_STAGING = "CREATE TEMP TABLE loyalty_code_rows (code text) ON COMMIT DROP"
COPY_CODES = "COPY loyalty_code_rows (code) FROM STDIN"
INSERT_CODES = """
    INSERT INTO loyalty_coupon (tenant_id, batch_id, code, uses, max_uses, customer_id)
    SELECT %(tenant)s, %(batch)s, code, 0, %(max_uses)s, %(customer)s
    FROM (SELECT DISTINCT code FROM loyalty_code_rows) staged
    ON CONFLICT (tenant_id, code) DO NOTHING
"""
DROP_CODE_STAGING = "DROP TABLE loyalty_code_rows"

# One code per customer of %(customers)s (the codes in %(codes)s, same order), in one statement;
# a code the tenant already has is skipped (returned rows say which went in).
INSERT_ISSUED_CODES = """
    INSERT INTO loyalty_coupon (tenant_id, batch_id, code, uses, max_uses, customer_id)
    SELECT %(tenant)s, %(batch)s, i.code, 0, %(max_uses)s, i.customer_id
    FROM unnest(%(customers)s::bigint[], %(codes)s::text[]) AS i(customer_id, code)
    ON CONFLICT (tenant_id, code) DO NOTHING
    RETURNING id, code
"""

# Refuse UPDATE and DELETE on the ledger: corrections are new entries.
APPEND_ONLY_TRIGGER = """
CREATE FUNCTION loyalty_pointsentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_pointsentry is append-only: add a correcting entry instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loyalty_pointsentry_append_only
    BEFORE UPDATE OR DELETE ON loyalty_pointsentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_pointsentry_append_only();
"""
DROP_APPEND_ONLY_TRIGGER = """
DROP TRIGGER loyalty_pointsentry_append_only ON loyalty_pointsentry;
DROP FUNCTION loyalty_pointsentry_append_only();
"""

# The programme overview's figures, in one statement (one snapshot: the ledger's sums and the
# members' balances agree). Ledger entries are summed by the member's current tier, by month
# (in the tenant's time zone) and in all, with GROUPING SETS: one scan of the tenant's ledger.
# Issued: earn entries (purchases, welcome bonus, cashback) and positive adjustments; releases
# only move points from pending to available. `g` tells the groups apart (GROUPING bits).
OVERVIEW_FIGURES = """
    WITH ledger AS (
        SELECT GROUPING(x.tier_id, x.month) AS g, x.tier_id, x.month,
               coalesce(sum(x.points) FILTER (
                   WHERE x.kind = 'earn' OR (x.kind = 'adjust' AND x.available_delta > 0)
               ), 0) AS issued,
               coalesce(-sum(x.available_delta) FILTER (WHERE x.kind = 'redeem'), 0) AS redeemed,
               coalesce(-sum(x.available_delta) FILTER (WHERE x.kind = 'expire'), 0) AS expired,
               coalesce(-sum(x.points) FILTER (WHERE x.kind = 'reverse'), 0) AS reversed
        FROM (
            SELECT e.kind, e.available_delta, e.available_delta + e.pending_delta AS points,
                   s.tier_id,
                   date_trunc('month', e.created_at AT TIME ZONE %(tz)s)::date AS month
            FROM loyalty_pointsentry e
            JOIN loyalty_member m ON m.id = e.member_id
            LEFT JOIN segmentation_customerscore s
                ON s.customer_id = m.customer_id AND s.tenant_id = %(tenant)s
            WHERE e.tenant_id = %(tenant)s AND m.tenant_id = %(tenant)s
        ) x
        GROUP BY GROUPING SETS ((x.tier_id), (x.month), ())
    ), balances AS (
        SELECT GROUPING(s.tier_id) AS g, s.tier_id,
               count(*) FILTER (WHERE m.left_at IS NULL) AS members,
               coalesce(sum(m.available), 0) AS available,
               coalesce(sum(m.pending), 0) AS pending
        FROM loyalty_member m
        LEFT JOIN segmentation_customerscore s
            ON s.customer_id = m.customer_id AND s.tenant_id = %(tenant)s
        WHERE m.tenant_id = %(tenant)s
        GROUP BY ROLLUP (s.tier_id)
    )
    SELECT 'ledger', g, tier_id, month, issued, redeemed, expired, reversed, 0, 0, 0
    FROM ledger
    UNION ALL
    SELECT 'balances', g, tier_id, NULL, 0, 0, 0, 0, members, available, pending
    FROM balances
"""
