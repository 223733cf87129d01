"""Employer surveys: the standard instrument plus custom questions, one-use links per employer contact,
responses and results with intervals.
"""
