"""Marks sql/ as package data so the .sql files ship with the installed package; no code lives here."""
