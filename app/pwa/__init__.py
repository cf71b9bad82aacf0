"""Installable web app: per-language manifest, service worker, translated offline page."""
