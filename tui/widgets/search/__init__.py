"""The Search view: the lecture's random search, run from the playground."""
