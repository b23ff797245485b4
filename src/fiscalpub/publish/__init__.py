"""Publishing packages to a CKAN portal (ckanapi), idempotently."""
