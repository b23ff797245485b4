# Normalization, phase 2: push down attachment levels (values given on the data set or on
# a slice become values of each of its observations).
# Source: The RDF Data Cube Vocabulary, W3C Recommendation 16 January 2014, section 11.1,
#   https://www.w3.org/TR/2014/REC-vocab-data-cube-20140116/#normalize-algorithm
# Run after phase 1 (normalize-phase1.ru). The Recommendation has these three rules only:
# an attribute attached to a measure property (qb:componentAttachment qb:MeasureProperty)
# is not pushed down to observations by the spec's algorithm.

PREFIX qb:             <http://purl.org/linked-data/cube#>

# Dataset attachments
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp ;
             qb:componentAttachment qb:DataSet .
    ?dataset qb:structure [qb:component ?spec];
             ?comp ?value .
    ?obs     qb:dataSet ?dataset.
};

# Slice attachments
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp;
             qb:componentAttachment qb:Slice .
    ?dataset qb:structure [qb:component ?spec];
             qb:slice ?slice .
    ?slice ?comp ?value;
           qb:observation ?obs .
};

# Dimension values on slices
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp .
    ?comp a  qb:DimensionProperty .
    ?dataset qb:structure [qb:component ?spec];
             qb:slice ?slice .
    ?slice ?comp ?value;
           qb:observation ?obs .
}
