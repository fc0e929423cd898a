"""Validation rules, one small module per kind of value (in the style of python-stdnum)."""
