"""Domain logic: no Chalice, no HTTP statuses; storage through the storage package."""
