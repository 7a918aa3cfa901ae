"""The domain: transitions, rules and checks. Functions take a Session and plain values, flush
but never commit, and import no Flask."""
