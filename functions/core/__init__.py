"""What every layer shares and none depends on: settings, errors, ids, dates, page arithmetic."""
