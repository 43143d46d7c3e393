"""The live predictions become a table partitioned per tenant, then per run, so that a nightly
run swaps in a freshly built partition instead of deleting and inserting a million index
entries (issue 11: 62 s of a 97 s run at 1,000,000 customers went to that).

    prediction_customerprediction                 root, LIST (tenant_id); the model's table
      prediction_customerprediction_default       rows of tenants never published (tests, admin)
      prediction_customerprediction_<tenant>      one per tenant, LIST (run_id)
        prediction_customerprediction_<tenant>_<run>   the tenant's live run: one leaf at a time

A live run asks `prediction_live_stage` for an empty leaf, fills it (no index yet, so rows are
only appended), and `prediction_live_publish` builds the root's indexes on it in bulk, ANALYZEs it,
then takes the tenant's table alone (ACCESS EXCLUSIVE on prediction_customerprediction_<tenant>,
never on the root: other tenants' readers and nightly runs go on) to detach and drop last
night's leaf and attach the new one, in the run's transaction: readers see the whole old set
until it commits and the whole new set after. The CHECK constraints on tenant_id and run_id
that the leaf is created with let ATTACH skip its validation scan.

The app role owns nothing and may not run DDL; both functions are SECURITY DEFINER (owned by
the tables' owner, who runs migrations) and act only for the connection's own tenant
(`app.tenant_id`, crm/rls.py) and only for a live run of that tenant. Every partition gets the
same row-level security policy as the root, for anyone who names it directly.

The root's primary key holds its partition keys, as PostgreSQL requires: (customer_id,
tenant_id, run_id); a published leaf holds one tenant and one run, so a customer still has
one live prediction. The Django model is unchanged (customer is its primary key).
"""

from django.db import migrations

from crm.rls import POLICY_PREDICATE

ROOT = "prediction_customerprediction"
# The predicate inside a quoted format() string of a function body.
QUOTED_PREDICATE = POLICY_PREDICATE.replace("'", "''")

SECURE = f"""
-- Row-level security on a partition, as on the root (crm/rls.py), for whoever names it
-- directly (through the root, the root's policy applies); the app role may read it.
CREATE FUNCTION prediction_partition_secure(partition text)
RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', partition);
  EXECUTE format('CREATE POLICY tenant_isolation ON %I USING ({QUOTED_PREDICATE})
                  WITH CHECK ({QUOTED_PREDICATE})', partition);
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') THEN
    EXECUTE format('GRANT SELECT ON %I TO crm_app', partition);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION prediction_partition_secure(text) FROM PUBLIC;

-- The caller may act for its own tenant only, and only for a live run of that tenant: a run
-- for a past date never replaces the live predictions unless it was made live.
CREATE FUNCTION prediction_live_check(tenant bigint, run bigint)
RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF tenant IS NULL
     OR tenant IS DISTINCT FROM nullif(current_setting('app.tenant_id', true), '')::bigint THEN
    RAISE EXCEPTION 'live predictions of tenant % asked outside that tenant', tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF run IS NOT NULL AND NOT EXISTS (
      SELECT FROM prediction_predictionrun r
      WHERE r.id = run AND r.tenant_id = tenant AND r.is_live) THEN
    RAISE EXCEPTION 'run % is not a live run of tenant %', run, tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION prediction_live_check(bigint, bigint) FROM PUBLIC;
"""

STAGE = f"""
-- An empty leaf for the run, without indexes, that the app role may only insert into: no other
-- session sees it before the run commits, and its CHECK on tenant_id admits the tenant's rows
-- only (a policy as well would cost its check on every row). Publishing secures it.
CREATE FUNCTION prediction_live_stage(tenant bigint, run bigint)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  leaf text := format('{ROOT}_%s_%s', tenant, run);
BEGIN
  PERFORM prediction_live_check(tenant, run);
  IF run IS NULL THEN
    RAISE EXCEPTION 'a leaf needs a run';
  END IF;
  EXECUTE format(
    'CREATE TABLE %I (LIKE {ROOT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
       CONSTRAINT prediction_partition_tenant CHECK (tenant_id = %s),
       CONSTRAINT prediction_partition_run CHECK (run_id = %s))',
    leaf, tenant, run);
  EXECUTE format('GRANT INSERT ON %I TO crm_app', leaf);
  RETURN leaf;
END
$$;
"""

PUBLISH = f"""
-- Make the run's filled leaf the tenant's live predictions (run NULL: leave the tenant none).
-- The indexes are built before any lock is asked; the swap waits at most lock_timeout for the
-- tenant's readers, and tries again a few times (each wait holds up the tenant's new readers).
CREATE FUNCTION prediction_live_publish(tenant bigint, run bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET lock_timeout = '1s' AS $$
DECLARE
  tenant_table text := format('{ROOT}_%s', tenant);
  leaf text := format('{ROOT}_%s_%s', tenant, run);
  statement text;
  previous regclass;
BEGIN
  PERFORM prediction_live_check(tenant, run);
  IF run IS NOT NULL THEN
    IF NOT EXISTS (SELECT FROM pg_class WHERE oid = to_regclass(leaf) AND NOT relispartition)
    THEN
      RAISE EXCEPTION 'no staged leaf % to publish', leaf;
    END IF;
    -- The root's primary key and indexes, each built in one sorted pass; ATTACH then adopts
    -- them as the root's (same columns, same order) instead of building its own.
    FOR statement IN
      SELECT CASE WHEN c.oid IS NOT NULL
                  THEN format('ALTER TABLE %I ADD %s', leaf, pg_get_constraintdef(c.oid))
                  ELSE regexp_replace(pg_get_indexdef(i.indexrelid),
                                      '^CREATE (UNIQUE )?INDEX \\S+ ON (ONLY )?\\S+',
                                      format('CREATE \\1INDEX ON %I', leaf))
             END
      FROM pg_index i
      LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      WHERE i.indrelid = '{ROOT}'::regclass
      ORDER BY i.indexrelid
    LOOP
      EXECUTE statement;
    END LOOP;
    EXECUTE format('ANALYZE %I', leaf);
    EXECUTE format('REVOKE ALL ON %I FROM crm_app', leaf);
    PERFORM prediction_partition_secure(leaf);
  END IF;
  FOR attempt IN 1..6 LOOP
    BEGIN
      IF to_regclass(tenant_table) IS NULL THEN
        -- The tenant's first publication: its own table, attached to the root (which asks
        -- SHARE UPDATE EXCLUSIVE there, no reader waits); rows it had in the default
        -- partition (written directly, before) give way.
        EXECUTE format(
          'CREATE TABLE %I (LIKE {ROOT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
             CONSTRAINT prediction_partition_tenant CHECK (tenant_id = %s))
           PARTITION BY LIST (run_id)', tenant_table, tenant);
        PERFORM prediction_partition_secure(tenant_table);
        DELETE FROM {ROOT}_default d WHERE d.tenant_id = tenant;
        EXECUTE format('ALTER TABLE {ROOT} ATTACH PARTITION %I FOR VALUES IN (%s)',
                       tenant_table, tenant);
      END IF;
      EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', tenant_table);
      FOR previous IN SELECT inhrelid::regclass FROM pg_inherits
                      WHERE inhparent = tenant_table::regclass LOOP
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %s', tenant_table, previous);
        EXECUTE format('DROP TABLE %s', previous);
      END LOOP;
      IF run IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%s)',
                       tenant_table, leaf, run);
      END IF;
      RETURN;
    EXCEPTION WHEN lock_not_available THEN
      IF attempt = 6 THEN
        RAISE;
      END IF;
      PERFORM pg_sleep(attempt * 0.5);
    END;
  END LOOP;
END
$$;
"""

GRANTS = """
DO $$
BEGIN
  -- crm/rls.py creates the role after the first migrate; a fresh cluster needs it now.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') THEN
    CREATE ROLE crm_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;  -- another database of this cluster created it at the same moment
END
$$;
REVOKE ALL ON FUNCTION prediction_live_stage(bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION prediction_live_publish(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prediction_live_stage(bigint, bigint) TO crm_app;
GRANT EXECUTE ON FUNCTION prediction_live_publish(bigint, bigint) TO crm_app;
"""

FORWARD = f"""
ALTER TABLE {ROOT} RENAME TO {ROOT}_unpartitioned;
ALTER INDEX prediction_value RENAME TO prediction_value_unpartitioned;
ALTER INDEX prediction_propensity RENAME TO prediction_propensity_unpartitioned;

CREATE TABLE {ROOT} (LIKE {ROOT}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
PARTITION BY LIST (tenant_id);
ALTER TABLE {ROOT} ADD CONSTRAINT {ROOT}_pkey PRIMARY KEY (customer_id, tenant_id, run_id);
CREATE INDEX prediction_value ON {ROOT} (tenant_id, predicted_value DESC, customer_id);
CREATE INDEX prediction_propensity ON {ROOT} (tenant_id, propensity DESC, customer_id);
ALTER TABLE {ROOT} ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {ROOT} USING ({POLICY_PREDICATE})
  WITH CHECK ({POLICY_PREDICATE});

{SECURE}
{STAGE}
{PUBLISH}
{GRANTS}

CREATE TABLE {ROOT}_default PARTITION OF {ROOT} DEFAULT;
SELECT prediction_partition_secure('{ROOT}_default');

-- Each tenant's live predictions move into its first leaf, through the same functions.
DO $$
DECLARE
  live record;
BEGIN
  FOR live IN SELECT tenant_id, max(run_id) AS run_id FROM {ROOT}_unpartitioned
              GROUP BY tenant_id ORDER BY tenant_id LOOP
    PERFORM set_config('app.tenant_id', live.tenant_id::text, true);
    IF EXISTS (SELECT FROM prediction_predictionrun r
               WHERE r.id = live.run_id AND r.tenant_id = live.tenant_id AND r.is_live) THEN
      EXECUTE format('INSERT INTO %I SELECT * FROM {ROOT}_unpartitioned
                      WHERE tenant_id = $1 AND run_id = $2',
                     prediction_live_stage(live.tenant_id, live.run_id))
        USING live.tenant_id, live.run_id;
      PERFORM prediction_live_publish(live.tenant_id, live.run_id);
    ELSE  -- rows written by hand: kept as they were
      INSERT INTO {ROOT}_default SELECT * FROM {ROOT}_unpartitioned
      WHERE tenant_id = live.tenant_id;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', '', true);
END
$$;
DROP TABLE {ROOT}_unpartitioned;
"""

BACKWARD = f"""
CREATE TABLE {ROOT}_unpartitioned (LIKE {ROOT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
INSERT INTO {ROOT}_unpartitioned SELECT * FROM {ROOT};
DROP TABLE {ROOT} CASCADE;
DROP FUNCTION prediction_live_publish(bigint, bigint);
DROP FUNCTION prediction_live_stage(bigint, bigint);
DROP FUNCTION prediction_live_check(bigint, bigint);
DROP FUNCTION prediction_partition_secure(text);
ALTER TABLE {ROOT}_unpartitioned RENAME TO {ROOT};
ALTER TABLE {ROOT} ADD CONSTRAINT prediction_customerprediction_customer_id_a8b4eb4b_pk
  PRIMARY KEY (customer_id);
CREATE INDEX prediction_value ON {ROOT} (tenant_id, predicted_value DESC, customer_id);
CREATE INDEX prediction_propensity ON {ROOT} (tenant_id, propensity DESC, customer_id);
ALTER TABLE {ROOT} ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {ROOT} USING ({POLICY_PREDICATE})
  WITH CHECK ({POLICY_PREDICATE});
"""


class Migration(migrations.Migration):
    dependencies = [
        ("prediction", "0005_customer_next_best"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
