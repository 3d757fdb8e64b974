"""The evidence pack for the next inspection: a zip of one PDF per item, as of a date."""
