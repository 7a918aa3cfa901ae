"""Anonymised throughput statistics (docs/statistics.md) and the history import.

How the figures stay fast and correct
=====================================

* ``feed`` keeps the pseudonymised feed (``stats_trajectories``) current inside the same
  transaction as every change: a SQLAlchemy ``after_flush`` hook re-derives the rows of the
  trajectories a flush touched (and of the residents, requests and extension events it touched),
  with Core statements on the flush's own connection. No workflow has to remember it.
  ``rebuild`` derives everything from scratch with the same function, so both give the same rows.
* Two aggregates are kept beside the feed, both recomputed by the hook for what changed:
  ``stats_episodes`` (each client's episodes per domain, merged by ``episodes.merge``) and
  ``stats_monthly_counts`` (starts and ends per domain × unit × intensity × month, kept with
  signed deltas through an upsert, so concurrent transactions add up instead of overwriting;
  beside each count the sum of the record keys of the rows it counts, for the cell keys).
  Every stock is a running sum: ``eindstand(M) = starts up to M − ends up to M``, because an end
  never precedes its start.
* ``kept`` keeps three more aggregates with signed deltas from the same hook, for durations and
  results: the traject unit's durations per domain and month (no filters), the result counts
  (starts and ends with their extensions, closed per outcome and category) per kept filter set,
  and the client episodes per month of start by how many years back the previous one ended.
* ``figures`` answers a query from the aggregates when it can: period and domain only (any unit),
  and intensity for the traject unit. Any other filter (category, profile, provider, wijk, age
  band, or intensity for the client unit) narrows the trajectories *before* episodes are formed
  (docs/statistics.md: filters first), so the traject unit counts the filtered feed rows with one
  grouped query and the client unit merges the filtered rows into episodes in Python with the very
  same ``episodes.merge``.
* ``anonymity`` turns the exact figures into what may be shown, in one place, by the cell key
  method (every count perturbed by a fixed amount that follows from its rows' record keys);
  ``report`` is the only entry point the web pages, the API, the CLI and the downloads use.
"""
