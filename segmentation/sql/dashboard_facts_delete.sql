-- Dashboard step 5: the stored facts become this run's (the previous ones served step 2).
DELETE FROM segmentation_customerfacts WHERE tenant_id = %(tenant)s
