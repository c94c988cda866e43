"""Tests that execute every code sample of the documentation site."""
