"""Load generation and HTTP benchmarks for TipSite (see bench/README.md)."""
