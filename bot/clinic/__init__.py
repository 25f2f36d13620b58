"""The clinic's own files: profile, fixed messages and approved answers."""
