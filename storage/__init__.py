"""The relational database: conversations, feedback, API keys, index jobs and uploaded documents."""
