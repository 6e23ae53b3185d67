"""Casework: complaints become cases; persons, events, acts, involvements and sources."""
