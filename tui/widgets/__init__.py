"""The playground's widgets, one module per feature (dataset, layers, regularization, training,
charts, summary, results) plus the form field they all share."""
