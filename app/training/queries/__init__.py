"""Training read side: loaders, the logbook, a client's progress and its charts."""
