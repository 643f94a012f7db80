"""The stores a service keeps its state in, one module per kind; each offers BACKEND.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""
