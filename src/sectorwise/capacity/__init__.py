"""Capacity building: technical assistance, events with registration and attendance, learning networks, and
the resource library.
"""
