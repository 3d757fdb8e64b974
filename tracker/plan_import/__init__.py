"""Importing an existing action-plan spreadsheet (Excel or CSV), through a mapping preview."""
