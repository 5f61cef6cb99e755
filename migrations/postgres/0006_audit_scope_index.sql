-- SQLite dropped its (node_path, at) audit index in its 0006: LIKE scope filters never range-scan it
-- there. PostgreSQL keeps this one: with text_pattern_ops it does serve `node_path like 'prefix%'`.
comment on index audit_log_path_at is
    'Serves the audit scope filter (node_path like prefix%); kept on PostgreSQL, dropped on SQLite (0006).';
