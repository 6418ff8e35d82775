"""Uploaded files: sanitized on arrival, stored by random id, served only to who may see them."""
