"""Broken target: defines none of the five functions."""
answer = 42
