"""Kubernetes quantities (`500m`, `512Mi`) in the units other formats take."""

from __future__ import annotations

import re

_QUANTITY = re.compile(r"^([0-9.]+)([A-Za-z]*)$")
_BINARY = {"": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
           "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def cpus(quantity: str) -> str:
    """`500m` -> `0.5`, `2` -> `2` (Compose's `cpus`)."""
    match = _QUANTITY.match(quantity)
    if not match:
        return quantity
    number, unit = float(match.group(1)), match.group(2)
    return f"{number / 1000 if unit == 'm' else number:g}"


def megabytes(quantity: str) -> str:
    """`512Mi` -> `512M`, `1Gi` -> `1024M` (Compose's memory sizes, in MiB)."""
    match = _QUANTITY.match(quantity)
    if not match or match.group(2) not in _BINARY:
        return quantity
    size = float(match.group(1)) * _BINARY[match.group(2)]
    return f"{max(1, round(size / 2**20))}M"
