# Django's zh_Hans defines no thousands separator, so `intcomma` printed "1381758" in Chinese
# pages; the 2024 brief report, in Chinese too, prints "1,381,758".
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
