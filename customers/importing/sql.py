"""Every SQL statement of the import, in one place.

A validated chunk is COPYed into a temporary table, then upserted with one statement:

    INSERT ... SELECT ... ON CONFLICT (tenant_id, external_id) WHERE external_id <> ''
    DO UPDATE SET <given columns> WHERE (<given columns>) IS DISTINCT FROM (<excluded>)

so a row whose values did not change is not rewritten (no dead tuple, no updated_at bump), and
`RETURNING (xmax = 0)` tells a created row from an updated one. Only the columns the file gives
are updated: a file with just "external_id;email" changes emails and nothing else.

Identifiers come only from the constant column lists below (never from the file); values are
parameters or COPY data.
"""

from __future__ import annotations

from psycopg import sql

from customers.models import CONSENT_FIELD_BY_CHANNEL

# Temporary-table column types; names are the target table's columns.
CUSTOMER_COLUMNS: dict[str, str] = {
    "external_id": "text",
    "kind": "text",
    "first_name": "text",
    "last_name": "text",
    "company_name": "text",
    "email": "text",
    "phone": "text",
    "address": "text",
    "city": "text",
    "region": "text",
    "country": "text",
    "industry": "text",
    "tax_number": "text",
    "acquisition_channel": "text",
    "acquired_on": "date",
    "lifecycle_stage": "text",
    "termination_reason": "text",
    "tags": "text[]",
    "birthday": "date",
    "preferred_channel": "text",
    "preferred_language": "text",
    "consent_email": "boolean",
    "consent_sms": "boolean",
    "consent_phone": "boolean",
    "notes": "text",
    "owner_id": "bigint",
    "referred_by_external_id": "text",
}
# Staged for the referral link only; not a column of customers_customer.
CUSTOMER_STAGING_ONLY = ("referred_by_external_id",)

TRANSACTION_COLUMNS: dict[str, str] = {
    "external_id": "text",
    "customer_id": "bigint",
    "occurred_at": "timestamptz",
    "amount": "numeric",
    "cost": "numeric",
    "currency": "text",
    "category_id": "bigint",
    "product_id": "bigint",
    "channel": "text",
    "quantity": "numeric",
    "status": "text",
    "kind": "text",
    "due_date": "date",
    "paid_date": "date",
}

CUSTOMER_STAGING = "import_customer_rows"
TRANSACTION_STAGING = "import_transaction_rows"


def create_staging(table: str, columns: dict[str, str]) -> sql.Composed:
    # ON COMMIT DROP: one chunk, one transaction, one staging table.
    return sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
        sql.Identifier(table),
        sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
            for name, kind in columns.items()
        ),
    )


def drop_staging(table: str) -> sql.Composed:
    # Also dropped at commit; dropping it ourselves lets a caller's outer transaction (tests,
    # a command wrapping several imports) run several chunks.
    return sql.SQL("DROP TABLE {}").format(sql.Identifier(table))


def copy_into(table: str, columns: dict[str, str]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _names(names) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def _prefixed(prefix: str, names) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(prefix, name) for name in names)


def _conflict_update(alias: str, updated: list[str], extra_set: str = "") -> sql.Composable:
    """DO UPDATE of the given columns, only when one of them really changes."""
    assignments = [
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(name), sql.Identifier(name))
        for name in updated
    ]
    if extra_set:
        assignments.append(sql.SQL(extra_set))
    # ROW(...) so that a single column still compares as a row.
    return sql.SQL(
        "ON CONFLICT (tenant_id, external_id) WHERE external_id <> '' DO UPDATE SET {} "
        "WHERE ROW({}) IS DISTINCT FROM ROW({})"
    ).format(
        sql.SQL(", ").join(assignments),
        _prefixed(alias, updated),
        _prefixed("excluded", updated),
    )


def upsert_customers(updated: list[str]) -> sql.Composed:
    """Upsert the staged customers; record consent changes (KVKK evidence) in the same
    statement. Parameters: tenant, user, note. Returns one row: (created, updated, ids of
    the created and updated customers)."""
    columns = [name for name in CUSTOMER_COLUMNS if name not in CUSTOMER_STAGING_ONLY]
    consent_values = sql.SQL(", ").join(
        sql.SQL("({}, w.{}, p.{})").format(
            sql.Literal(str(channel)), sql.Identifier(column), sql.Identifier(column)
        )
        for channel, column in CONSENT_FIELD_BY_CHANNEL.items()
    )
    return sql.SQL(
        """
        WITH previous AS (
            SELECT c.id, c.consent_email, c.consent_sms, c.consent_phone
            FROM customers_customer c
            JOIN {staging} r ON r.external_id = c.external_id
            WHERE c.tenant_id = %(tenant)s
        ), written AS (
            INSERT INTO customers_customer AS c (tenant_id, {columns}, created_at, updated_at)
            SELECT %(tenant)s, {columns}, now(), now() FROM {staging}
            {conflict}
            RETURNING c.id, (c.xmax = 0) AS created,
                      c.consent_email, c.consent_sms, c.consent_phone
        ), consent AS (
            INSERT INTO customers_consentrecord
                (tenant_id, customer_id, channel, granted, recorded_at, source, note,
                 recorded_by_id)
            SELECT %(tenant)s, w.id, v.channel, v.granted, now(), 'import', %(note)s, %(user)s
            FROM written w
            LEFT JOIN previous p ON p.id = w.id
            CROSS JOIN LATERAL (VALUES {consent_values}) AS v(channel, granted, was)
            WHERE v.granted IS DISTINCT FROM coalesce(v.was, false)
        )
        SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created),
               coalesce(array_agg(id), '{{}}')
        FROM written
        """
    ).format(
        staging=sql.Identifier(CUSTOMER_STAGING),
        columns=_names(columns),
        conflict=_conflict_update("c", updated, "updated_at = EXCLUDED.updated_at"),
        consent_values=consent_values,
    )


def upsert_transactions(updated: list[str]) -> sql.Composed:
    """Upsert the staged transactions. Parameters: tenant, user, job (kept on created rows
    only). Returns (created, updated)."""
    columns = list(TRANSACTION_COLUMNS)
    return sql.SQL(
        """
        WITH written AS (
            INSERT INTO customers_transaction AS t
                (tenant_id, {columns}, recorded_by_id, import_job_id, created_at)
            SELECT %(tenant)s, {columns}, %(user)s, %(job)s, now() FROM {staging}
            {conflict}
            RETURNING (t.xmax = 0) AS created
        )
        SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
        FROM written
        """
    ).format(
        staging=sql.Identifier(TRANSACTION_STAGING),
        columns=_names(columns),
        conflict=_conflict_update("t", updated),
    )


# After the chunk's upsert, so that a referrer in the same chunk exists. An empty cell clears
# the link; a customer never refers themselves (a table constraint).
LINK_REFERRALS = """
    UPDATE customers_customer c
    SET referred_by_id = r.id, updated_at = now()
    FROM import_customer_rows s
    LEFT JOIN customers_customer r
        ON r.tenant_id = %(tenant)s AND r.external_id = NULLIF(s.referred_by_external_id, '')
    WHERE c.tenant_id = %(tenant)s
      AND c.external_id = s.external_id
      AND (r.id IS NULL OR r.id <> c.id)
      AND c.referred_by_id IS DISTINCT FROM r.id
    RETURNING c.id
"""

CUSTOMER_IDS_BY_EXTERNAL_ID = """
    SELECT external_id, id FROM customers_customer
    WHERE tenant_id = %(tenant)s AND external_id = ANY(%(external_ids)s)
"""

# Progress and rejections of one chunk, committed with the chunk itself.
RECORD_CHUNK = """
    UPDATE customers_importjob SET
        processed_rows = processed_rows + %(processed)s,
        created_rows = created_rows + %(created)s,
        updated_rows = updated_rows + %(updated)s,
        unchanged_rows = unchanged_rows + %(unchanged)s,
        rejected_rows = rejected_rows + %(rejected)s,
        rejections = rejections || %(rejections)s::jsonb,
        heartbeat_at = clock_timestamp()
    WHERE id = %(job)s AND tenant_id = %(tenant)s
"""
