"""Multi-tenancy: the tenant in the URL path, membership and roles, and django-scopes scoping."""
