"""The vocabulary: code lists of 功能分类 and 经济分类 by edition year, built from evidence
(codes printed in parsed reports) plus curated data; departments and regions; COFOG."""
