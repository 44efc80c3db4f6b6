"""The app's handlers, one module per feature: the keys and messages of editing, training and files."""
