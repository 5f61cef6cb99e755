-- The (node_path, at) index of the audit log is never searched on SQLite: scope filters use LIKE, which
-- is case-insensitive there and cannot range-scan a binary index (EXPLAIN QUERY PLAN: SCAN audit_log).
-- It only cost every audit record one more randomly placed index page — with group-committed check-ins
-- into many activities at once, a third of the pages each commit writes. PostgreSQL keeps its
-- text_pattern_ops index, which does serve prefix scopes.
drop index audit_log_path_at;
