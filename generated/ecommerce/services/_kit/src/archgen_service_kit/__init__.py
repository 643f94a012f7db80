"""The shared runtime of the services archgen generates: one copy per generated system.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

__version__ = "1.12.3"
