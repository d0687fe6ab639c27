"""The web front-ends served by the API: the embeddable citizen widget, the civil servants' console and the
admin page. They are static files that talk only to the public HTTP contract (shared/api-contract.md)."""
