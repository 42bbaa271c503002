"""Renderers: Rich tables and JSON documents. They format; they never analyse or print."""
