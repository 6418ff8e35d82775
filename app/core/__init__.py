"""Cross-cutting helpers: API plumbing, time, pagination, request hooks."""
