-- A check-in that adds a participant writes one B-tree instead of two: the participants kept in the
-- order of their primary key (WITHOUT ROWID) rather than in a row-id table beside an index of that
-- key. The same rows, moved over.
create table participants_by_key (
    resident_id bigint not null,
    year integer not null,
    community_id bigint not null,
    primary key (resident_id, year)
) without rowid;
insert into participants_by_key (resident_id, year, community_id)
    select resident_id, year, community_id from participants;
drop table participants;
alter table participants_by_key rename to participants;
