# The same grouping as the Chinese pages (config/formats/zh_Hans): one number format.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
