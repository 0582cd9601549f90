"""The local copy of every Seven Time entity and the engine that keeps it (docs/sync.md)."""
