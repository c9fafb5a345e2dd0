"""The editors' pages that join several apps: content gaps, the admin home's counts, and "Write
this tip" answering a request. It sits above the content apps, which never import it or each
other (see the import contracts in pyproject.toml)."""
