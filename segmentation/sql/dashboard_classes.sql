-- Dashboard step 3: customers, revenue and margin per class.
INSERT INTO segmentation_runclasssummary
       (tenant_id, run_id, customer_class, customers, revenue, margin)
SELECT %(tenant)s, %(run)s, customer_class, count(*), sum(revenue), sum(margin)
FROM seg_facts
GROUP BY customer_class
