"""The answer pipeline: understand a citizen's message, retrieve procedure records, compose a cited answer."""
