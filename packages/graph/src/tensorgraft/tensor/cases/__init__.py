"""The catalog's cases, one module per family (imported by `tensorgraft.tensor.catalog`)."""
