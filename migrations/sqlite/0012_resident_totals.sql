-- The resident list tells the exact total of what a filter selects. A surname search over a
-- district's million residents counts its matches from these indexes alone (name, then the town
-- that decides scope), without reading a row or joining the tree; a town's own list counts from
-- the second. Erased residents are left out of both, as the list leaves them out by default.
create index residents_active_name_town on residents (name, town_id) where erased_at is null;
create index residents_active_town_name on residents (town_id, name) where erased_at is null;
