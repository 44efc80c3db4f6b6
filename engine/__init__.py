"""nnplay's engine: validated specs, data sources, two trainers behind one interface, export.

A library with no user interface in it: everything here can be driven from a test or a script.
TensorFlow is imported only by the modules that need it (the Keras engine, export, malaria data).
"""
