"""Counting the DynamoDB operations a request sends."""

import collections

from botocore.client import BaseClient


class Operations:
    """Every DynamoDB operation name botocore sends while it is attached (pynamodb's and db's clients alike)."""

    def __init__(self, monkeypatch):
        self.names: collections.Counter = collections.Counter()
        original = BaseClient._make_api_call

        def counted(client, operation_name, api_params):
            if client.meta.service_model.service_name == "dynamodb":
                self.names[operation_name] += 1
            return original(client, operation_name, api_params)

        monkeypatch.setattr(BaseClient, "_make_api_call", counted)
