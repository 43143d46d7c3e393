"""The acquisition app's SQL, in one place: each statement in a .sql file next to this module,
parameterised with psycopg's %(name)s.

- convert_buyers.sql: every lead of a tenant that is not won and has a completed purchase
  becomes won (conversion "purchase", converted at its first purchase), once: the UPDATE's
  `status <> 'won'` is re-checked under the row lock, so a purchase hook and the nightly job
  running at the same moment convert a lead once between them. Its customer leaves the
  "prospect" stage for "new" and gets its acquisition date; one audit entry per lead.
- cohort_summaries.sql / value_summaries.sql: the nightly acquisition figures.
  A customer's acquisition start is the lead's creation (or, without a lead, the acquisition
  date, else the customer's creation), its cohort the month of that start in the tenant's time
  zone, its channel the customer's acquisition channel and its campaign the lead's.
  A buyer has a completed purchase; days to first purchase run from the start to it (never
  negative). After N months (3, 6, 12) counts the buyers whose first purchase is at least N
  months old: their revenue in the N months from the first purchase, their current score, and
  the best (highest) tier they reached by then according to the tier history.
- campaign_costs.sql: what each acquisition campaign's messages cost per month, as the
  campaign's results count it: the recipients sent (status "sent"), at the cost recorded on
  each, in the month of sending in the tenant's time zone. Reads the campaigns app's tables.
- report_best_tiers.sql: the report's read of the value summaries' tier counts, added up per
  channel, campaign and horizon in the database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent


# A lead, and an acquisition cost, may only name a campaign of their own company. A composite
# foreign key would need a unique (tenant_id, id) on the campaigns' table, which is not ours
# to change; this trigger is the same check, for both tables. (A campaign never changes
# company, so the campaign's side needs none.)
CAMPAIGN_SAME_TENANT_TRIGGER = """
CREATE FUNCTION acquisition_campaign_same_tenant() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM campaigns_campaign
        WHERE id = NEW.campaign_id AND tenant_id = NEW.tenant_id
    ) THEN
        RAISE EXCEPTION 'campaign % is not a campaign of tenant %', NEW.campaign_id, NEW.tenant_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER acquisition_lead_campaign_same_tenant
    BEFORE INSERT OR UPDATE OF campaign_id, tenant_id ON acquisition_lead
    FOR EACH ROW WHEN (NEW.campaign_id IS NOT NULL)
    EXECUTE FUNCTION acquisition_campaign_same_tenant();
CREATE TRIGGER acquisition_cost_campaign_same_tenant
    BEFORE INSERT OR UPDATE OF campaign_id, tenant_id ON acquisition_acquisitioncost
    FOR EACH ROW WHEN (NEW.campaign_id IS NOT NULL)
    EXECUTE FUNCTION acquisition_campaign_same_tenant();
"""
DROP_CAMPAIGN_SAME_TENANT_TRIGGER = """
DROP TRIGGER IF EXISTS acquisition_lead_campaign_same_tenant ON acquisition_lead;
DROP TRIGGER IF EXISTS acquisition_cost_campaign_same_tenant ON acquisition_acquisitioncost;
DROP FUNCTION IF EXISTS acquisition_campaign_same_tenant();
"""


@cache
def statement(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()
