"""Helpers with no Django models or views: ID numbers, phones, spreadsheets, crypto."""
