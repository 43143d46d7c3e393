"""The PostgreSQL backend with row-level security in force (see crm/rls.py)."""
