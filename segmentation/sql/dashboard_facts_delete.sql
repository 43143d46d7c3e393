-- Dashboard step 5: the stored facts become this run's (the previous ones served step 2).
-- Like the scores, only what changed is written: customers gone (archived) leave, ...
DELETE FROM segmentation_customerfacts cf
WHERE cf.tenant_id = %(tenant)s
  AND NOT EXISTS (SELECT 1 FROM seg_facts n WHERE n.customer_id = cf.customer_id)
