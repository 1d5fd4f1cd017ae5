"""Export of a live organization to a manifest: live reads, secret placeholders, YAML text."""
