"""Speed measurements: each ``bench_*.py`` module here has a ``main()`` that prints its results.

``python -m benchmarks`` runs them all; ``python -m benchmarks engines numpy`` runs the named ones.
"""
