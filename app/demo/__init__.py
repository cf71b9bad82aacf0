"""Demo data for `flask demo`: what it holds (data.py) and the loader that writes it (loader.py)."""

from app.demo.loader import load_demo

__all__ = ["load_demo"]
