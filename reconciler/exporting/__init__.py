"""Export's text: the document and its header, secret placeholders, the hands-off policy and
YAML writing. What is read, and how each kind's objects are written, is the kinds'."""
