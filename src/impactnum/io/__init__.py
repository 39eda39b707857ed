"""Readers and writers of outside file formats. Knows neither Django nor the web app."""

from impactnum.io.errors import InputError, InputFileError
from impactnum.io.inventory import Inventory, ReadOptions, read_inventory
from impactnum.io.native import read_native
from impactnum.io.numecoeval import read_numecoeval

__all__ = [
    "InputError",
    "InputFileError",
    "Inventory",
    "ReadOptions",
    "read_inventory",
    "read_native",
    "read_numecoeval",
]
