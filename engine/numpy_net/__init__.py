"""The NumPy reference engine: every forward and backward step written out, as the lecture derives it."""
