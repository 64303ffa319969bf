"""Importing partnerships from files and bundled data sets: formats, row parsing, locality matching, planning and applying (see service.py)."""
