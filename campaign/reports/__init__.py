"""Workbooks made for people: the marked-up member sheet and the blank template."""
