"""Exports of the catalog into other tools' formats: Backstage entities, Structurizr DSL."""
