"""The "Surface" view: the loss over two weights and the descent on it."""
