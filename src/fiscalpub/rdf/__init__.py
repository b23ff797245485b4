"""RDF: checks on the RDF Data Cube exports (see :mod:`fiscalpub.rdf.integrity`)."""
