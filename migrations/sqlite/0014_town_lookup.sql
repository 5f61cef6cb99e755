-- The towns under a scope (`kind = 'town' and path like '/1/2/%'`), which every district-wide
-- resident list and count asks first, read from this index alone: the thirty towns' entries
-- instead of every node of the tree.
create index org_nodes_kind_path on org_nodes (kind, path);
