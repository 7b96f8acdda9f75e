"""Storage adapters: the DynamoDB models and helpers, S3 keys and URLs, counters, the lookup function."""
