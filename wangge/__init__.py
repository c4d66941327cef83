"""Wangge: grid-based community epidemic response."""
