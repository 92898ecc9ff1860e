"""The warehouse: where it is (``db``) and every read and write of it (the SQL lives in ``sql/``).
"""
