"""The ground floor: settings, database, models, blob store, clock, transactions and domain errors.

Nothing here imports Flask or any other package of `reporting`."""
