"""Over Django's zh_Hans formats (which fall back to Django's own for everything else): amounts
grouped by thousands with commas, as Chinese ledgers and decisions print them (150,000 元)."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# One way to write a date everywhere: 2026-12-07, as the date pickers, the exports and the
# documents write it (Django's zh_Hans default, 2026年12月7日, stood beside it on the same page).
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
