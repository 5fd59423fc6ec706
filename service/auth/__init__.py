"""Who is asking: bearer tokens, principals and their roles (the visibility rule is graph/visibility.py)."""
