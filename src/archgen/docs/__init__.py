"""The architecture document (Markdown and a static HTML page) and its checklist."""
