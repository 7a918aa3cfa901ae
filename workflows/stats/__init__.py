"""Anonymised throughput statistics (docs/statistics.md) and the history import.

How the figures stay fast and correct
=====================================

* ``feed`` keeps the pseudonymised feed (``stats_trajectories``) current inside the same
  transaction as every change: a SQLAlchemy ``after_flush`` hook re-derives the rows of the
  trajectories a flush touched (and of the residents, requests and extension events it touched),
  with Core statements on the flush's own connection. No workflow has to remember it.
  ``rebuild`` derives everything from scratch with the same function, so both give the same rows.
  The aanmeldingen are kept the same way in ``stats_requests`` (for the waiting list's first
  stage, a request without a decision).
* Three aggregates are kept beside the feed, all recomputed by the hook for what changed:
  ``stats_episodes`` (each client's episodes per domain, merged by ``episodes.merge``),
  ``stats_monthly_counts`` (starts and ends per domain × unit × intensity × month) and
  ``stats_filter_counts`` (the same per value of each kept filter set, ``models.KEPT_SETS``:
  category, profile, provider, wijk, age band, wijk + age band, profile + provider; for the
  client unit the episodes formed after that filter). The counts are kept with signed deltas
  through an upsert, so concurrent transactions add up instead of overwriting; beside each count
  the sum of the record keys of the rows it counts, for the cell keys. Every stock is a running
  sum: ``eindstand(M) = starts up to M − ends up to M``, because an end never precedes its start.
* ``kept`` keeps four more aggregates with signed deltas from the same hook, for durations and
  results: the traject unit's durations per domain and month (one by one and in spans of
  durations) and the result counts (starts and ends with their extensions, closed per outcome
  and category), both per kept filter set; the client episodes per month of start by how many
  years back the previous one ended (without filters and after each kept filter set); and the
  results' per-year distinct clients and households per kept filter set and calendar year
  (``kept.year_cells``).
* ``figures`` answers flows and intensity from the kept counts when it can: period and domain
  only (any unit), or exactly one kept set (``figures.kept_set``); the intensity filter combines
  with both for the traject unit. Any other combination (two filters that are no kept pair, or
  intensity for the client unit) narrows the trajectories *before* episodes are formed
  (docs/statistics.md: filters first), so the traject unit counts the filtered feed rows with one
  grouped query and the client unit has the database form the episodes of the filtered rows
  (``figures.episodes_after_filters``: the rule of ``episodes.merge`` as window functions; a
  property test holds the two equal). What is read from the feed is kept by ``cache`` per query
  while the feed's version (its change log, ``feed.feed_version``) stays the same.
* ``anonymity`` turns the exact figures into what may be shown, in one place, by the cell key
  method (every count perturbed by a fixed amount that follows from its rows' record keys);
  ``report`` is the only entry point the web pages, the API, the CLI and the downloads use.
"""
