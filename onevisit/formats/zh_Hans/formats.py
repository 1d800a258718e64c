"""Over Django's zh_Hans formats (which fall back to Django's own for everything else): amounts
grouped by thousands with commas, as Chinese ledgers and decisions print them (150,000 元)."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
