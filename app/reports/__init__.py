"""Reports: submissions from villagers, their receipts, attachments and timelines."""
