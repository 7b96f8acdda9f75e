"""Deployment: the CloudFormation template of what Chalice does not create, the merge and the deploy scripts."""
