-- An activity held on paper is recorded once, also when two clerks enter it in the same second:
-- the check before the insert cannot see the other clerk's uncommitted row.
create unique index activities_recorded_once on activities (owner_id, starts_at, title)
    where recorded_afterwards;
